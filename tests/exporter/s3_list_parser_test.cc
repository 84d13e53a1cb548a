// The ListObjectsV2 / Error XML reader with real-shaped and hostile documents.
#include "pulse/exporter/s3_list_parser.h"

#include <gtest/gtest.h>

namespace pulse::exporter::s3 {
namespace {

constexpr const char* kPage = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name><Prefix></Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=&amp;x</NextContinuationToken>
  <Contents><Key>a&lt;b</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>
    <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><Size>434234</Size>
    <StorageClass>STANDARD</StorageClass></Contents>
  <Contents><Key>b</Key><Size>0</Size><Owner><ID>x</ID></Owner></Contents>
  <!-- a comment -->
</ListBucketResult>)";

TEST(S3ListParser, Page) {
  ListPage p;
  std::string error;
  ASSERT_TRUE(ParseListPage(kPage, &p, &error)) << error;
  EXPECT_EQ(p.objects, 2u);
  EXPECT_EQ(p.bytes, 434234u);
  EXPECT_TRUE(p.truncated);
  EXPECT_EQ(p.next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=&x");
}

TEST(S3ListParser, EmptyBucket) {
  ListPage p;
  std::string error;
  ASSERT_TRUE(
      ParseListPage("<ListBucketResult><IsTruncated>false</IsTruncated><KeyCount>0"
                    "</KeyCount></ListBucketResult>",
                    &p, &error))
      << error;
  EXPECT_EQ(p.objects, 0u);
  EXPECT_FALSE(p.truncated);
}

TEST(S3ListParser, ErrorBody) {
  ErrorBody e;
  ASSERT_TRUE(ParseErrorBody(R"(<?xml version="1.0"?><Error><Code>SignatureDoesNotMatch</Code>
<Message>The request signature we calculated does not match</Message></Error>)",
                             &e));
  EXPECT_EQ(e.code, "SignatureDoesNotMatch");
  EXPECT_FALSE(ParseErrorBody("<html>nope</html>", &e));
}

std::string Fails(const std::string& xml) {
  ListPage p;
  std::string error;
  EXPECT_FALSE(ParseListPage(xml, &p, &error)) << xml.substr(0, 100);
  return error;
}

TEST(S3ListParser, HostileDocumentsAreRejected) {
  EXPECT_NE(Fails(R"(<!DOCTYPE x [<!ENTITY a "aaaa">]><ListBucketResult>&a;</ListBucketResult>)")
                .find("DTDs"),
            std::string::npos);
  EXPECT_NE(Fails("<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Size>&unknown;"
                  "</Size></Contents></ListBucketResult>")
                .find("invalid entity"),
            std::string::npos);
  EXPECT_NE(Fails(std::string(10000, '<')).find("malformed tag"), std::string::npos);
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "<a>";
  EXPECT_NE(Fails(deep).find("nested too deeply"), std::string::npos);
  EXPECT_NE(Fails("<ListBucketResult><IsTruncated>false</IsTruncated>").find("document ends"),
            std::string::npos);
  EXPECT_NE(Fails("<ListBucketResult></Other>").find("mismatched"), std::string::npos);
  EXPECT_NE(Fails("<Other><IsTruncated>false</IsTruncated></Other>").find("not <ListBucketResult>"),
            std::string::npos);
  EXPECT_NE(Fails("<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Size>-1</Size>"
                  "</Contents></ListBucketResult>")
                .find("not a non-negative integer"),
            std::string::npos);
  EXPECT_NE(Fails("<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Size>"
                  "99999999999999999999999</Size></Contents></ListBucketResult>")
                .find("not a non-negative integer"),
            std::string::npos);
  EXPECT_NE(Fails("<ListBucketResult><IsTruncated>false</IsTruncated>"
                  "<Contents><Size>18446744073709551615</Size></Contents>"
                  "<Contents><Size>1</Size></Contents></ListBucketResult>")
                .find("overflows"),
            std::string::npos);
  EXPECT_NE(Fails("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>")
                .find("without a NextContinuationToken"),
            std::string::npos);
  EXPECT_NE(Fails("<ListBucketResult><IsTruncated>maybe</IsTruncated></ListBucketResult>")
                .find("neither"),
            std::string::npos);
  EXPECT_NE(Fails("<ListBucketResult></ListBucketResult>").find("no IsTruncated"),
            std::string::npos);
  EXPECT_NE(Fails("<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Size>&#0;"
                  "</Size></Contents></ListBucketResult>")
                .find("invalid entity"),
            std::string::npos);
  EXPECT_NE(Fails("<ListBucketResult><NextContinuationToken>" + std::string(kMaxXmlText + 1, 'x') +
                  "</NextContinuationToken></ListBucketResult>")
                .find("too long"),
            std::string::npos);
  EXPECT_NE(Fails("").find("no root"), std::string::npos);
  EXPECT_NE(Fails("<a/><b/>").find("second root"), std::string::npos);
  EXPECT_NE(Fails("junk<a/>").find("outside the root"), std::string::npos);
  EXPECT_NE(Fails(std::string("<a \0 b", 6)).find("unterminated"), std::string::npos);
}

TEST(S3ListParser, AttributesWithGreaterThanAndSelfClosing) {
  ListPage p;
  std::string error;
  ASSERT_TRUE(
      ParseListPage("<ListBucketResult a=\"x>y\"><IsTruncated>false</IsTruncated>"
                    "<Contents><Size>5</Size><Owner/></Contents></ListBucketResult>",
                    &p, &error))
      << error;
  EXPECT_EQ(p.bytes, 5u);
  EXPECT_EQ(p.objects, 1u);
}

}  // namespace
}  // namespace pulse::exporter::s3
