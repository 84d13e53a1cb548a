// Secrets found beside the custom resources in input files. They are never rendered; they let
// `render` check Secret references offline (name and key exist) and give the values to a
// renderer that must inline them.
//
// Thread-safety: plain values.
#pragma once

#include <map>
#include <string>

#include "pulse/model/object_meta.h"

namespace pulse::model {

struct Secret {
  ObjectMeta metadata;
  std::map<std::string, std::string> data;  // base64-decoded `data` merged with `stringData`
  Source source;
};

}  // namespace pulse::model
