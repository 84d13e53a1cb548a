// The encoders against RFC 4648's base64 vectors and RFC 3986 / SigV4 percent-encoding.
#include "pulse/http/encoding.h"

#include <gtest/gtest.h>

#include <string>

namespace pulse::http {
namespace {

TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode(std::string("\xff\xfe\x00", 3)), "//4A");
}

TEST(Base64, RoundTripsEveryByteAndLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t n = 0; n <= all.size(); n += 7) {
    const std::string in = all.substr(0, n);
    EXPECT_EQ(Base64Decode(Base64Encode(in)), in) << n;
  }
}

TEST(Base64, DecodesWithoutPaddingAndAcrossLineBreaks) {
  EXPECT_EQ(Base64Decode("Zm9vYg"), "foob");
  EXPECT_EQ(Base64Decode("Zm9v\nYmFy\r\n"), "foobar");
  EXPECT_EQ(Base64Decode(" aGVs bG8= "), "hello");
  EXPECT_EQ(Base64Decode(""), "");
}

TEST(Base64, RejectsInvalidInput) {
  EXPECT_EQ(Base64Decode("Zm9v!"), std::nullopt);     // not in the alphabet
  EXPECT_EQ(Base64Decode("Zm9v-_"), std::nullopt);    // URL-safe alphabet is not standard
  EXPECT_EQ(Base64Decode("Z"), std::nullopt);         // 6 bits: not even one byte
  EXPECT_EQ(Base64Decode("Zm9vY"), std::nullopt);     // the same after a full quantum
  EXPECT_EQ(Base64Decode("Zg==Zg=="), std::nullopt);  // data after padding
  EXPECT_EQ(Base64Decode("Zg==="), std::nullopt);     // too much padding
  EXPECT_EQ(Base64Decode("Zm8=="), std::nullopt);     // padding to the wrong length
}

TEST(BasicAuthorization, IsBase64OfUserColonPassword) {
  EXPECT_EQ(BasicAuthorization("guest", "guest"), "Basic Z3Vlc3Q6Z3Vlc3Q=");
  EXPECT_EQ(BasicAuthorization("Aladdin", "open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_EQ(BasicAuthorization("", ""), "Basic Og==");
}

TEST(PercentEncode, KeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(PercentEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(PercentEncode("a b+c=d&e/f"), "a%20b%2Bc%3Dd%26e%2Ff");
  EXPECT_EQ(PercentEncode("%"), "%25");
  EXPECT_EQ(PercentEncode("é"), "%C3%A9");  // UTF-8 bytes, upper-case hex as SigV4 wants
  EXPECT_EQ(PercentEncode(std::string("\0\x7f", 2)), "%00%7F");
}

TEST(PercentEncode, KeepSlashForPaths) {
  EXPECT_EQ(PercentEncode("invoices/a b+c.json", true), "invoices/a%20b%2Bc.json");
  EXPECT_EQ(PercentEncode("a/b", false), "a%2Fb");
  EXPECT_EQ(PercentEncode("ü~", true), "%C3%BC~");
  EXPECT_EQ(PercentEncode("/", true), "/");
}

TEST(HexEncode, IsLowerCase) {
  EXPECT_EQ(HexEncode(""), "");
  EXPECT_EQ(HexEncode(std::string("\x00\x01\xab\xff", 4)), "0001abff");
}

}  // namespace
}  // namespace pulse::http
