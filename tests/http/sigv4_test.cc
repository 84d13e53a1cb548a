// SigV4 against AWS's published S3 examples (Signature Version 4, header-based authentication:
// example access key AKIAIOSFODNN7EXAMPLE, 24 May 2013, bucket examplebucket, us-east-1).
#include "pulse/http/sigv4.h"

#include <gtest/gtest.h>

#include "pulse/http/encoding.h"

namespace pulse::http::sigv4 {
namespace {

constexpr const char* kEmptyHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

Signing Example() {
  return {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1", "s3",
          "20130524T000000Z"};
}

TEST(SigV4, EmptyPayloadHash) { EXPECT_EQ(Sha256Hex(""), kEmptyHash); }

TEST(SigV4, StreamedHashIsTheOneShotHash) {
  std::string text;
  for (int i = 0; i < 10000; ++i) text += "line " + std::to_string(i) + "\n";
  Sha256Stream pieces;
  for (std::size_t at = 0; at < text.size(); at += 777) pieces.Update(text.substr(at, 777));
  pieces.Update("");
  EXPECT_EQ(pieces.HexDigest(), Sha256Hex(text));
  Sha256Stream none;
  EXPECT_EQ(none.HexDigest(), kEmptyHash);
}

TEST(SigV4, GetObjectExample) {
  Request r;
  r.method = "GET";
  r.path = "/test.txt";
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"Range", "bytes=0-9"},
               {"x-amz-content-sha256", kEmptyHash},
               {"x-amz-date", "20130524T000000Z"}};
  r.payload_hash = kEmptyHash;
  EXPECT_EQ(SignedHeaders(r), "host;range;x-amz-content-sha256;x-amz-date");
  EXPECT_EQ(Signature(r, Example()),
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(Authorization(r, Example()),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

// The "PUT Object" example: a body (what the demo shop's invoices send), a '$' in the key and
// extra headers, some of which (Date) are signed.
TEST(SigV4, PutObjectExample) {
  Request r;
  r.method = "PUT";
  r.path = "/" + PercentEncode("test$file.text", true);
  r.payload_hash = Sha256Hex("Welcome to Amazon S3.");
  EXPECT_EQ(r.payload_hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
               {"x-amz-date", "20130524T000000Z"},
               {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
               {"x-amz-content-sha256", r.payload_hash}};
  EXPECT_EQ(r.path, "/test%24file.text");
  EXPECT_EQ(SignedHeaders(r), "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class");
  EXPECT_EQ(Signature(r, Example()),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

Request ListingRequest(std::vector<std::pair<std::string, std::string>> query) {
  Request r;
  r.path = "/";
  r.query = std::move(query);
  r.headers = {{"host", "examplebucket.s3.amazonaws.com"},
               {"x-amz-content-sha256", kEmptyHash},
               {"x-amz-date", "20130524T000000Z"}};
  r.payload_hash = kEmptyHash;
  return r;
}

TEST(SigV4, ListObjectsExampleSortsTheQuery) {
  // Given out of order: the canonical query must sort it.
  const Request r = ListingRequest({{"prefix", "J"}, {"max-keys", "2"}});
  EXPECT_EQ(CanonicalQuery(r.query), "max-keys=2&prefix=J");
  EXPECT_EQ(Sha256Hex(CanonicalRequest(r)),
            "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7");
  EXPECT_EQ(Signature(r, Example()),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4, GetBucketLifecycleExampleHasEmptyValue) {
  const Request r = ListingRequest({{"lifecycle", ""}});
  EXPECT_EQ(CanonicalQuery(r.query), "lifecycle=");
  EXPECT_EQ(Signature(r, Example()),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4, EncodingAndInputsMatter) {
  EXPECT_EQ(CanonicalQuery({{"prefix", "a b/c~d+e"}, {"continuation-token", "x=="}}),
            "continuation-token=x%3D%3D&prefix=a%20b%2Fc~d%2Be");
  EXPECT_EQ(PercentEncode("é/x", true), "%C3%A9/x");
  const Request r = ListingRequest({{"list-type", "2"}});
  const std::string base = Signature(r, Example());
  Signing other = Example();
  other.region = "eu-central-1";
  EXPECT_NE(Signature(r, other), base);
  other = Example();
  other.secret_access_key += "x";
  EXPECT_NE(Signature(r, other), base);
  Request token = r;
  token.headers.push_back({"x-amz-security-token", "tok"});
  EXPECT_NE(Signature(token, Example()), base);
  EXPECT_EQ(SignedHeaders(token), "host;x-amz-content-sha256;x-amz-date;x-amz-security-token");
}

TEST(SigV4, AmzDate) {
  EXPECT_EQ(AmzDate(1369353600), "20130524T000000Z");
  EXPECT_EQ(AmzDate(0), "19700101T000000Z");
}

TEST(SigV4, HeaderValuesAreTrimmedBeforeSigning) {
  Request a = ListingRequest({});
  Request b = a;
  b.headers[0].second = "  examplebucket.s3.amazonaws.com ";
  EXPECT_EQ(Signature(a, Example()), Signature(b, Example()));
}

}  // namespace
}  // namespace pulse::http::sigv4
