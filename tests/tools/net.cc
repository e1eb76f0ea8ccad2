#include "tests/tools/net.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace tools {

base::Result<int> FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return base::ErrnoError("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return base::ErrnoError("bind 127.0.0.1:0");
  }
  close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

base::Status Interrupted() { return base::Status(base::StatusCode::kCanceled, "interrupted"); }

base::Status Died(ChildProcess& child, const std::string& what, const std::string& when) {
  return base::Unavailable(what + " " + child.ExitDescription() + " " + when + "; log tail:\n" +
                           TailFile(child.log_path(), 15));
}

bool InterruptibleSleep(std::chrono::duration<double> d,
                        const volatile std::sig_atomic_t* interrupted) {
  using Clock = std::chrono::steady_clock;
  const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(d);
  while (Clock::now() < until) {
    if (interrupted != nullptr && *interrupted) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return interrupted == nullptr || !*interrupted;
}

base::Status WaitReady(ChildProcess& child, int port, const std::string& path,
                       std::chrono::seconds limit, const volatile std::sig_atomic_t* interrupted) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1, 0);
  client.set_read_timeout(2, 0);
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (interrupted != nullptr && *interrupted) return Interrupted();
    if (child.Exited()) return Died(child, "process", "before it was ready");
    if (auto res = client.Get(path); res && res->status == 200) return base::Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return base::Status(base::StatusCode::kTimeout,
                      "not ready after " + std::to_string(limit.count()) + " s; log tail:\n" +
                          TailFile(child.log_path(), 15));
}

std::optional<uint64_t> CountStoredSeries(int port, int64_t time_s) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(60, 0);
  const httplib::Params params = {{"query", "count({__name__=~\".+\"})"},
                                  {"time", std::to_string(time_s)}};
  auto res = client.Get("/api/v1/query", params, httplib::Headers{});
  if (!res || res->status != 200) return std::nullopt;
  // {"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[t,"N"]}]}}
  const size_t value = res->body.find("\"value\":[");
  if (value == std::string::npos) {
    if (res->body.find("\"result\":[]") != std::string::npos) return 0;
    return std::nullopt;
  }
  const size_t quote = res->body.find('"', res->body.find(',', value));
  if (quote == std::string::npos) return std::nullopt;
  return std::strtoull(res->body.c_str() + quote + 1, nullptr, 10);
}

}  // namespace tools
