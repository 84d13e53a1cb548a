// A service account with narrow RBAC, authenticated by a TokenRequest token: what RBAC denies
// surfaces as typed Forbidden errors; what it allows works.
#include <gtest/gtest.h>

#include "kube_test_env.h"
#include "pulse/kube/rest_client.h"

namespace pulse::kube {
namespace {

using testing::AdminConfig;
using testing::ConfigMap;
using testing::CreateNamespace;
using testing::Kubectl;
using testing::ReasonOf;

TEST(Rbac, NarrowServiceAccountGetsTypedForbidden) {
  Client admin(AdminConfig());
  const std::string ns = CreateNamespace(admin, "rbac");
  const std::string other = CreateNamespace(admin, "rbac-other");
  admin.Create(ConfigMaps(), ns, ConfigMap("visible", {{"k", "v"}}));
  admin.Create(ConfigMaps(), other, ConfigMap("hidden"));
  admin.Create(
      {"", "v1", "serviceaccounts", true}, ns,
      {{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", "reader"}}}});
  const Resource roles{"rbac.authorization.k8s.io", "v1", "roles", true};
  const Resource bindings{"rbac.authorization.k8s.io", "v1", "rolebindings", true};
  admin.Create(roles, ns,
               {{"apiVersion", "rbac.authorization.k8s.io/v1"},
                {"kind", "Role"},
                {"metadata", {{"name", "cm-reader"}}},
                {"rules",
                 {{{"apiGroups", {""}},
                   {"resources", {"configmaps"}},
                   {"verbs", {"get", "list", "watch"}}}}}});
  admin.Create(
      bindings, ns,
      {{"apiVersion", "rbac.authorization.k8s.io/v1"},
       {"kind", "RoleBinding"},
       {"metadata", {{"name", "reader"}}},
       {"roleRef",
        {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", "cm-reader"}}},
       {"subjects", {{{"kind", "ServiceAccount"}, {"name", "reader"}, {"namespace", ns}}}}});
  std::string token;
  ASSERT_EQ(Kubectl("-n " + ns + " create token reader --duration=10m", &token), 0) << token;
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();

  Config sa;
  sa.server = testenv::Get("kube", "SERVER");
  sa.tls.ca_file = testenv::Get("kube", "CA_FILE");
  sa.token = [token] { return token; };
  sa.default_namespace = ns;
  Client client(sa);

  EXPECT_EQ(client.Get(ConfigMaps(), ns, "visible")["data"]["k"], "v");
  EXPECT_EQ(client.ListAll(ConfigMaps(), ns)["items"].size(),
            admin.ListAll(ConfigMaps(), ns)["items"].size());

  try {
    client.Create(ConfigMaps(), ns, ConfigMap("nope"));
    FAIL() << "create was allowed";
  } catch (const ApiError& e) {
    EXPECT_TRUE(IsForbidden(e)) << e.what();
    EXPECT_EQ(e.code(), 403);
    EXPECT_FALSE(e.Retriable());
    EXPECT_NE(std::string(e.what()).find("system:serviceaccount:" + ns + ":reader"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(ReasonOf([&] { client.Get(ConfigMaps(), other, "hidden"); }), Reason::kForbidden);
  EXPECT_EQ(ReasonOf([&] { client.ListAll(Secrets(), ns); }), Reason::kForbidden);
  EXPECT_EQ(ReasonOf([&] { client.Delete(ConfigMaps(), ns, "visible"); }), Reason::kForbidden);
  EXPECT_EQ(ReasonOf([&] { client.Apply(ConfigMaps(), ns, "visible", ConfigMap("visible")); }),
            Reason::kForbidden);
  // Forbidden is not NotFound: a missing object we may not read is still Forbidden elsewhere,
  // but NotFound where we may read.
  EXPECT_EQ(ReasonOf([&] { client.Get(ConfigMaps(), ns, "absent"); }), Reason::kNotFound);

  // Once the account is gone, its token no longer authenticates.
  admin.Delete({"", "v1", "serviceaccounts", true}, ns, "reader");
  EXPECT_TRUE(testing::Eventually([&] {
    return ReasonOf([&] { client.Get(ConfigMaps(), ns, "visible"); }) == Reason::kUnauthorized;
  }));
}

}  // namespace
}  // namespace pulse::kube
