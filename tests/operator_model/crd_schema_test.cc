#include <gtest/gtest.h>
TEST(CrdSchema, Placeholder) {}
