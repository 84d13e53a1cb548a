// An in-memory ObjectWriter for reconciler unit tests: objects by (resource, namespace, name),
// every write recorded, label selectors of the forms "k=v" and "k in (a,b)" (comma-joined).
// Thread-safe (a mutex), like the real one.
#pragma once

#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "pulse/controller/object_writer.h"

namespace pulse::controller::testing {

class FakeObjectWriter : public ObjectWriter {
 public:
  using Key = std::tuple<std::string, std::string, std::string>;  // resource, ns, name

  std::optional<Json> Get(const kube::Resource& r, const std::string& ns,
                          const std::string& name) override {
    std::lock_guard lock(mu_);
    ++gets;
    auto it = objects.find({r.resource, ns, name});
    if (it == objects.end()) return std::nullopt;
    return it->second;
  }
  std::vector<Json> ListMetadata(const kube::Resource& r, const std::string& ns,
                                 const std::string& selector) override {
    std::lock_guard lock(mu_);
    std::vector<Json> out;
    for (const auto& [key, object] : objects) {
      if (std::get<0>(key) == r.resource && std::get<1>(key) == ns && Matches(object, selector)) {
        // As the API server answers a PartialObjectMetadataList: no data.
        out.push_back(Json{{"apiVersion", "meta.k8s.io/v1"},
                           {"kind", "PartialObjectMetadata"},
                           {"metadata", object.value("metadata", Json::object())}});
      }
    }
    return out;
  }
  void Apply(const kube::Resource& r, const std::string& ns, const std::string& name,
             const Json& object) override {
    std::lock_guard lock(mu_);
    applies.push_back(r.resource + "/" + ns + "/" + name);
    objects[{r.resource, ns, name}] = object;
  }
  void PatchStatus(const kube::Resource& r, const std::string& ns, const std::string& name,
                   const Json& status) override {
    std::lock_guard lock(mu_);
    status_patches.push_back(r.resource + "/" + ns + "/" + name);
    last_status[r.resource + "/" + ns + "/" + name] = status;
  }
  void Delete(const kube::Resource& r, const std::string& ns, const std::string& name) override {
    std::lock_guard lock(mu_);
    deletes.push_back(r.resource + "/" + ns + "/" + name);
    objects.erase({r.resource, ns, name});
  }
  void WarningEvent(const Json& regarding, const std::string& reason, const std::string&,
                    const std::string& note) override {
    std::lock_guard lock(mu_);
    events.push_back(regarding["metadata"].value("name", "") + ":" + reason + ":" + note);
  }

  void Clear() {
    std::lock_guard lock(mu_);
    applies.clear();
    status_patches.clear();
    deletes.clear();
    events.clear();
  }

  std::map<Key, Json> objects;
  std::vector<std::string> applies, status_patches, deletes, events;
  std::map<std::string, Json> last_status;
  int gets = 0;

 private:
  static bool Matches(const Json& object, const std::string& selector) {
    const Json labels = object["metadata"].value("labels", Json::object());
    // Split on commas outside parentheses.
    std::vector<std::string> terms;
    std::string cur;
    int depth = 0;
    for (char ch : selector) {
      if (ch == '(') ++depth;
      if (ch == ')') --depth;
      if (ch == ',' && depth == 0) {
        terms.push_back(cur);
        cur.clear();
      } else {
        cur += ch;
      }
    }
    if (!cur.empty()) terms.push_back(cur);
    for (const std::string& t : terms) {
      const auto in = t.find(" in (");
      if (in != std::string::npos) {
        const std::string k = t.substr(0, in);
        std::string set = t.substr(in + 5);
        set.pop_back();
        if (!labels.contains(k)) return false;
        const std::string v = labels[k].get<std::string>();
        std::stringstream ss(set);
        std::string one;
        bool found = false;
        while (std::getline(ss, one, ',')) found = found || one == v;
        if (!found) return false;
      } else {
        const auto eq = t.find('=');
        const std::string k = t.substr(0, eq);
        if (!labels.contains(k) || labels[k] != t.substr(eq + 1)) return false;
      }
    }
    return true;
  }
  std::mutex mu_;
};

}  // namespace pulse::controller::testing
