#include "pulse/base/version.h"

#include <gtest/gtest.h>

#include <string>

namespace pulse::base {
namespace {

TEST(Version, ComesFromTheCMakeProject) {
  // The parts and the string agree, and the string has the MAJOR.MINOR.PATCH shape.
  EXPECT_EQ(std::string(kVersion), std::to_string(kVersionMajor) + "." +
                                       std::to_string(kVersionMinor) + "." +
                                       std::to_string(kVersionPatch));
  EXPECT_GE(kVersionMajor + kVersionMinor + kVersionPatch, 1);
}

}  // namespace
}  // namespace pulse::base
