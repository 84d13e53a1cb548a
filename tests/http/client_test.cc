// pulse::http::Client against real loopback servers run by the test itself: a thread per
// connection speaking raw HTTP/1.1 (optionally through OpenSSL), so each test can misbehave
// exactly as needed — an endless body, a silent peer, a stream that never ends, a certificate
// for another name.
#include "pulse/http/client.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pulse/testing/loopback_listener.h"

namespace pulse::http {
namespace {

using namespace std::chrono_literals;
using base::StatusCode;
using testing::LoopbackListener;

// One accepted connection as the handler sees it.
class Conn {
 public:
  Conn(int fd, SSL* ssl, const std::atomic<bool>* stopping)
      : fd_(fd), ssl_(ssl), stopping_(stopping) {}

  // Reads one request head (and a Content-Length body); false when the peer went away.
  bool ReadRequest() {
    head.clear();
    body.clear();
    std::string buf;
    char tmp[4096];
    std::size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      const int n = Read(tmp, sizeof tmp);
      if (n <= 0) return false;
      buf.append(tmp, static_cast<std::size_t>(n));
    }
    head = buf.substr(0, end + 2);
    body = buf.substr(end + 4);
    const auto cl = Lower(head).find("content-length:");
    if (cl != std::string::npos) {
      const std::size_t want = std::stoul(head.substr(cl + 15));
      while (body.size() < want) {
        const int n = Read(tmp, sizeof tmp);
        if (n <= 0) return false;
        body.append(tmp, static_cast<std::size_t>(n));
      }
    }
    return true;
  }

  bool Write(std::string_view data) {
    while (!data.empty()) {
      const int n = ssl_ != nullptr
                        ? SSL_write(ssl_, data.data(), static_cast<int>(data.size()))
                        : static_cast<int>(::send(fd_, data.data(), data.size(), MSG_NOSIGNAL));
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  bool Chunk(std::string_view data) {
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    return Write(size) && Write(data) && Write("\r\n");
  }

  void Respond(int status, const std::string& body_text, const std::string& extra = "") {
    Write("HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " +
          std::to_string(body_text.size()) + "\r\n" + extra + "\r\n" + body_text);
  }

  // Sleeps up to `d`, returning early when the server stops (so tests never wait it out).
  void Hold(std::chrono::milliseconds d) {
    const auto until = std::chrono::steady_clock::now() + d;
    while (!stopping_->load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(10ms);
    }
  }

  bool stopping() const { return stopping_->load(); }

  std::string head;  // request line and headers, each ending in CRLF
  std::string body;
  std::size_t sent = 0;

 private:
  static std::string Lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  int Read(char* buf, int size) {
    // Poll first so a server being stopped is not stuck in a read.
    while (!stopping_->load()) {
      if (ssl_ != nullptr && SSL_pending(ssl_) > 0) break;
      pollfd p{fd_, POLLIN, 0};
      const int r = ::poll(&p, 1, 50);
      if (r < 0) return -1;
      if (r > 0) break;
    }
    if (stopping_->load()) return -1;
    if (ssl_ != nullptr) return SSL_read(ssl_, buf, size);
    return static_cast<int>(::recv(fd_, buf, static_cast<std::size_t>(size), 0));
  }

  int fd_;
  SSL* ssl_;
  const std::atomic<bool>* stopping_;
};

// Serves each connection on its own thread with `handler` (which reads requests itself, so one
// handler may serve several requests on a kept-alive connection). TLS when `tls` is given.
class LoopbackServer {
 public:
  using Handler = std::function<void(Conn&)>;

  explicit LoopbackServer(Handler handler, SSL_CTX* tls = nullptr)
      : handler_(std::move(handler)), tls_(tls) {
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~LoopbackServer() {
    stopping_ = true;
    listener_.Close();
    accept_thread_.join();
    for (auto& t : threads_) t.join();
  }

  std::string url(const std::string& path = "/") const {
    return std::string(tls_ != nullptr ? "https" : "http") +
           "://127.0.0.1:" + std::to_string(listener_.port()) + path;
  }
  int connections() const { return connections_.load(); }
  std::size_t bytes_sent() const { return bytes_sent_.load(); }

 private:
  void AcceptLoop() {
    while (!stopping_) {
      const int fd = listener_.Accept(100ms);
      if (fd < 0) continue;
      ++connections_;
      std::lock_guard<std::mutex> lock(mu_);
      threads_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  void Serve(int fd) {
    SSL* ssl = nullptr;
    if (tls_ != nullptr) {
      ssl = SSL_new(tls_);
      SSL_set_fd(ssl, fd);
      if (SSL_accept(ssl) != 1) {  // e.g. the client rejected our certificate
        ERR_clear_error();
        SSL_free(ssl);
        ::close(fd);
        return;
      }
    }
    Conn conn(fd, ssl, &stopping_);
    handler_(conn);
    bytes_sent_ += conn.sent;
    if (ssl != nullptr) {
      SSL_shutdown(ssl);
      SSL_free(ssl);
    }
    ::close(fd);
  }

  Handler handler_;
  SSL_CTX* tls_;
  LoopbackListener listener_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::atomic<std::size_t> bytes_sent_{0};
  std::mutex mu_;
  std::vector<std::thread> threads_;
  std::thread accept_thread_;
};

std::unique_ptr<Client> NewClient(ClientOptions o = {}) {
  auto made = MakeClient(std::move(o));
  EXPECT_TRUE(made.ok()) << made.status().ToString();
  return std::move(made).value();
}

// Whether the request head has the header with this value (cpprest writes "Name:value").
bool HasHeader(const std::string& head, const std::string& name, const std::string& value) {
  std::size_t pos = 0;
  while ((pos = head.find("\r\n", pos)) != std::string::npos) {
    pos += 2;
    const std::size_t end = head.find("\r\n", pos);
    const std::string line = head.substr(pos, end - pos);
    const auto colon = line.find(':');
    if (colon == std::string::npos || line.substr(0, colon) != name) continue;
    std::string v = line.substr(colon + 1);
    while (!v.empty() && v.front() == ' ') v.erase(0, 1);
    if (v == value) return true;
  }
  return false;
}

Request Get(const std::string& url) {
  Request r;
  r.url = url;
  return r;
}

class HttpClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { std::signal(SIGPIPE, SIG_IGN); }
};

TEST_F(HttpClientTest, SendsHeadersBodyAndTokenAndReadsTheAnswer) {
  std::mutex mu;
  std::string seen_head, seen_body;
  LoopbackServer server([&](Conn& c) {
    while (c.ReadRequest()) {
      {
        std::lock_guard<std::mutex> lock(mu);
        seen_head = c.head;
        seen_body = c.body;
      }
      c.Respond(201, "created", "X-Answer: 42\r\n");
    }
  });
  ClientOptions o;
  o.token = [] { return std::string("tok-1"); };
  o.user_agent = "pulse-test";
  auto client = NewClient(o);
  Request r;
  r.method = "POST";
  r.url = server.url("/things?a=b%20c");
  r.headers = {{"Content-Type", "application/json"}, {"X-Custom", "yes"}};
  r.body = R"({"k":"v"})";
  auto resp = client->Send(r);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->status, 201);
  EXPECT_EQ(resp->body, "created");
  EXPECT_EQ(resp->Header("x-answer"), "42");
  EXPECT_EQ(resp->Header("absent"), "");
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(seen_head.rfind("POST /things?a=b%20c HTTP/1.1\r\n", 0), 0u) << seen_head;
  EXPECT_TRUE(HasHeader(seen_head, "Authorization", "Bearer tok-1")) << seen_head;
  EXPECT_TRUE(HasHeader(seen_head, "User-Agent", "pulse-test")) << seen_head;
  EXPECT_TRUE(HasHeader(seen_head, "Content-Type", "application/json")) << seen_head;
  EXPECT_TRUE(HasHeader(seen_head, "X-Custom", "yes")) << seen_head;
  EXPECT_EQ(seen_body, R"({"k":"v"})");
}

TEST_F(HttpClientTest, AnExplicitAuthorizationWinsOverTheToken) {
  std::string seen;
  LoopbackServer server([&](Conn& c) {
    if (!c.ReadRequest()) return;
    seen = c.head;
    c.Respond(200, "");
  });
  ClientOptions o;
  o.token = [] { return std::string("tok"); };
  auto client = NewClient(o);
  Request r = Get(server.url());
  r.headers = {{"Authorization", "Basic eDp5"}};
  ASSERT_TRUE(client->Send(r).ok());
  EXPECT_TRUE(HasHeader(seen, "Authorization", "Basic eDp5")) << seen;
  EXPECT_EQ(seen.find("Bearer"), std::string::npos) << seen;
}

TEST_F(HttpClientTest, ErrorStatusesAreAnswersNotErrors) {
  LoopbackServer server([](Conn& c) {
    while (c.ReadRequest()) c.Respond(503, "busy", "Retry-After: 3\r\n");
  });
  auto client = NewClient();
  auto resp = client->Send(Get(server.url()));
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->status, 503);
  EXPECT_EQ(resp->body, "busy");
  EXPECT_EQ(resp->Header("retry-after"), "3");
}

TEST_F(HttpClientTest, OneClientServesManyHostsAndThreads) {
  LoopbackServer a([](Conn& c) {
    while (c.ReadRequest()) c.Respond(200, "a");
  });
  LoopbackServer b([](Conn& c) {
    while (c.ReadRequest()) c.Respond(200, "b");
  });
  auto client = NewClient();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto r = client->Send(Get((t % 2 == 0 ? a : b).url("/x")));
        if (r.ok() && r->body == (t % 2 == 0 ? "a" : "b")) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 40);
}

TEST_F(HttpClientTest, DeclaredBodyOverTheLimitFailsBeforeReading) {
  LoopbackServer server([](Conn& c) {
    if (!c.ReadRequest()) return;
    c.Write("HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n");
    c.Hold(5s);
  });
  auto client = NewClient();
  Request r = Get(server.url());
  r.max_body_bytes = 1000;
  const auto start = std::chrono::steady_clock::now();
  auto resp = client->Send(r);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kResourceExhausted) << resp.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST_F(HttpClientTest, EndlessChunkedBodyIsCutOffWhileReading) {
  // The server writes until the client hangs up. The client must stop at its limit, not buffer
  // the stream until memory runs out; the bytes the server managed to send bound what the
  // client could have buffered (the rest is kernel socket buffers).
  LoopbackServer server([](Conn& c) {
    if (!c.ReadRequest()) return;
    if (!c.Write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")) return;
    const std::string piece(16 * 1024, 'x');
    while (!c.stopping() && c.Chunk(piece)) {
    }
  });
  ClientOptions o;
  o.max_body_bytes = 1 << 20;
  auto client = NewClient(o);
  const auto start = std::chrono::steady_clock::now();
  auto resp = client->Send(Get(server.url()));
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kResourceExhausted) << resp.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  // The server notices the hang-up on its next write.
  for (int i = 0; i < 500 && server.bytes_sent() == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_GT(server.bytes_sent(), std::size_t{1} << 20);
  EXPECT_LT(server.bytes_sent(), std::size_t{256} << 20) << "the client kept reading";
  std::cout << "server sent " << server.bytes_sent() << " bytes before the client hung up\n";
}

TEST_F(HttpClientTest, SilentServerTimesOut) {
  LoopbackServer server([](Conn& c) {
    if (!c.ReadRequest()) return;
    c.Hold(10s);
  });
  auto client = NewClient();
  Request r = Get(server.url());
  r.timeout = 300ms;
  const auto start = std::chrono::steady_clock::now();
  auto resp = client->Send(r);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kDeadlineExceeded) << resp.status().ToString();
  EXPECT_TRUE(resp.status().retriable());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(HttpClientTest, RefusedConnectionIsUnavailable) {
  LoopbackListener refusing(LoopbackListener::Mode::kRefuse);
  auto client = NewClient();
  auto resp = client->Send(Get("http://127.0.0.1:" + std::to_string(refusing.port()) + "/"));
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kUnavailable) << resp.status().ToString();
  EXPECT_NE(resp.status().message().find("127.0.0.1"), std::string::npos);
}

TEST_F(HttpClientTest, MalformedUrlsAreInvalidArguments) {
  auto client = NewClient();
  for (const char* url : {"", "not a url", "ftp://127.0.0.1/x", "/just/a/path"}) {
    auto resp = client->Send(Get(url));
    ASSERT_FALSE(resp.ok()) << url;
    EXPECT_EQ(resp.status().code(), StatusCode::kInvalidArgument)
        << url << ": " << resp.status().ToString();
  }
}

TEST_F(HttpClientTest, CancelledSendIsCancelled) {
  LoopbackServer server([](Conn& c) {
    if (!c.ReadRequest()) return;
    c.Hold(10s);
  });
  auto client = NewClient();
  CancelToken cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(200ms);
    cancel.Cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  auto resp = client->Send(Get(server.url()), &cancel);
  canceller.join();
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kCancelled) << resp.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(HttpClientTest, StreamDeliversLinesAsTheyArrive) {
  LoopbackServer server([](Conn& c) {
    if (!c.ReadRequest()) return;
    c.Write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    c.Chunk("one\n");
    c.Chunk("two\r\nthr");  // a line split across chunks, CRLF stripped
    c.Chunk("ee\n\nlast");  // an empty line, then a last line without '\n'
    c.Chunk("");
  });
  auto client = NewClient();
  std::vector<std::string> lines;
  auto resp = client->Stream(
      Get(server.url("/watch")),
      [&](std::string_view line) {
        lines.emplace_back(line);
        return true;
      },
      nullptr, 1024);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "three", "", "last"}));
}

TEST_F(HttpClientTest, StreamReturnsANon2xxAnswerWhole) {
  LoopbackServer server([](Conn& c) {
    if (c.ReadRequest()) c.Respond(410, "gone\nfor good\n");
  });
  auto client = NewClient();
  int calls = 0;
  auto resp = client->Stream(
      Get(server.url()), [&](std::string_view) { return ++calls > 0; }, nullptr, 1024);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->status, 410);
  EXPECT_EQ(resp->body, "gone\nfor good\n");
  EXPECT_EQ(calls, 0);
}

TEST_F(HttpClientTest, StreamStopsWhenTheHandlerSaysSo) {
  LoopbackServer server([](Conn& c) {
    if (!c.ReadRequest()) return;
    c.Write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    while (!c.stopping() && c.Chunk("tick\n")) c.Hold(20ms);
  });
  auto client = NewClient();
  int calls = 0;
  auto resp = client->Stream(
      Get(server.url()), [&](std::string_view) { return ++calls < 3; }, nullptr, 1024);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(calls, 3);
}

TEST_F(HttpClientTest, StreamLineOverTheLimitFails) {
  LoopbackServer server([](Conn& c) {
    if (!c.ReadRequest()) return;
    c.Write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    c.Chunk("short\n");
    const std::string piece(1000, 'y');  // no newline, ever
    while (!c.stopping() && c.Chunk(piece)) {
    }
  });
  auto client = NewClient();
  std::vector<std::string> lines;
  auto resp = client->Stream(
      Get(server.url()),
      [&](std::string_view line) {
        lines.emplace_back(line);
        return true;
      },
      nullptr, 64 * 1024);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kResourceExhausted) << resp.status().ToString();
  EXPECT_EQ(lines, std::vector<std::string>{"short"});
}

TEST_F(HttpClientTest, CancellingAQuietStreamReturnsAtOnce) {
  LoopbackServer server([](Conn& c) {
    if (!c.ReadRequest()) return;
    c.Write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    c.Chunk("first\n");
    c.Hold(30s);  // a watch with nothing to say
  });
  auto client = NewClient();
  CancelToken cancel;
  std::thread canceller;
  int lines = 0;
  const auto start = std::chrono::steady_clock::now();
  auto resp = client->Stream(
      Get(server.url()),
      [&](std::string_view) {
        ++lines;
        canceller = std::thread([&] {
          std::this_thread::sleep_for(200ms);
          cancel.Cancel();
        });
        return true;
      },
      &cancel, 1024);
  canceller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(lines, 1);
}

TEST_F(HttpClientTest, StreamCancelledBeforeItStartsIsCancelled) {
  LoopbackServer server([](Conn& c) {
    if (c.ReadRequest()) c.Hold(10s);
  });
  auto client = NewClient();
  CancelToken cancel;
  cancel.Cancel();
  auto resp = client->Stream(
      Get(server.url()), [](std::string_view) { return true; }, &cancel, 1024);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kCancelled) << resp.status().ToString();
}

TEST_F(HttpClientTest, BadTlsMaterialIsRejectedUpFrontWithItsName) {
  ClientOptions o;
  o.tls.ca_file = "/nonexistent/ca.crt";
  auto made = MakeClient(o);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(made.status().message().find("/nonexistent/ca.crt"), std::string::npos);
  o.tls = {};
  o.tls.ca_data = "not PEM";
  made = MakeClient(o);
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.status().message().find("no PEM certificate"), std::string::npos);
  o.tls = {};
  o.tls.client_cert_data = "x";
  made = MakeClient(o);
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.status().message().find("client key"), std::string::npos);
}

// A throw-away CA and a server certificate for 127.0.0.1 and "pulse.test", made with the
// openssl tool (as an operator would), once for the whole suite.
class TlsTest : public HttpClientTest {
 protected:
  static void SetUpTestSuite() {
    HttpClientTest::SetUpTestSuite();
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     ("pulse-http-tls-" + std::to_string(::getpid())));
    std::filesystem::create_directories(*dir_);
    const std::string d = dir_->string();
    {
      std::ofstream ext(d + "/ext.cnf");
      ext << "subjectAltName=IP:127.0.0.1,DNS:pulse.test\n";
    }
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";
    const std::string cmd =
        "cd " + d + " && openssl req -x509" + ec +
        "-keyout ca.key -out ca.crt -days 2 -subj /CN=pulse-test-ca 2>/dev/null && "
        "openssl req" +
        ec +
        "-keyout server.key -out server.csr -subj /CN=server 2>/dev/null && "
        "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 "
        "-extfile ext.cnf -out server.crt 2>/dev/null && "
        "openssl req -x509" +
        ec +
        "-keyout other.key -out other.crt -days 2 "
        "-subj /CN=other-ca 2>/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  static std::string File(const std::string& name) { return (*dir_ / name).string(); }

  void SetUp() override {
    ctx_ = SSL_CTX_new(TLS_server_method());
    ASSERT_EQ(SSL_CTX_use_certificate_chain_file(ctx_, File("server.crt").c_str()), 1);
    ASSERT_EQ(SSL_CTX_use_PrivateKey_file(ctx_, File("server.key").c_str(), SSL_FILETYPE_PEM), 1);
  }
  void TearDown() override { SSL_CTX_free(ctx_); }

  SSL_CTX* ctx_ = nullptr;
  static std::filesystem::path* dir_;
};
std::filesystem::path* TlsTest::dir_ = nullptr;

LoopbackServer::Handler Hello() {
  return [](Conn& c) {
    while (c.ReadRequest()) c.Respond(200, "secure hello");
  };
}

TEST_F(TlsTest, TrustsAConfiguredCaByFileOrData) {
  LoopbackServer server(Hello(), ctx_);
  ClientOptions o;
  o.tls.ca_file = File("ca.crt");
  auto resp = NewClient(o)->Send(Get(server.url()));
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->body, "secure hello");

  std::ifstream in(File("ca.crt"));
  o.tls = {};
  o.tls.ca_data.assign(std::istreambuf_iterator<char>(in), {});
  resp = NewClient(o)->Send(Get(server.url()));
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
}

TEST_F(TlsTest, RejectsAServerItDoesNotTrust) {
  LoopbackServer server(Hello(), ctx_);
  ClientOptions o;
  o.tls.ca_file = File("other.crt");  // a valid CA, but not the server's
  auto resp = NewClient(o)->Send(Get(server.url()));
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kUnavailable) << resp.status().ToString();
  // The system trust store does not know our CA either.
  resp = NewClient()->Send(Get(server.url()));
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kUnavailable) << resp.status().ToString();
}

TEST_F(TlsTest, InsecureSkipVerifyAcceptsAnyCertificate) {
  LoopbackServer server(Hello(), ctx_);
  ClientOptions o;
  o.tls.insecure_skip_verify = true;
  auto resp = NewClient(o)->Send(Get(server.url()));
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
}

TEST_F(TlsTest, ServerNameOverridesTheNameVerified) {
  LoopbackServer server(Hello(), ctx_);
  ClientOptions o;
  o.tls.ca_file = File("ca.crt");
  o.tls.server_name = "pulse.test";  // in the certificate: accepted
  auto resp = NewClient(o)->Send(Get(server.url()));
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  o.tls.server_name = "someone.else";  // not in it: rejected although the URL's IP is
  resp = NewClient(o)->Send(Get(server.url()));
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kUnavailable) << resp.status().ToString();
}

}  // namespace
}  // namespace pulse::http
