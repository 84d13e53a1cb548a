#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <ctime>
#include <limits>
#include <memory>

#include "exposition.h"
#include "pulse/red/process_collector.h"
#include "pulse/red/process_stats.h"

namespace pulse::red {
namespace {

// A real line from proc(5)'s layout, with a command name containing spaces and ')'.
constexpr const char* kStat =
    "4242 (my (odd) app) S 1 4242 4242 0 -1 4194560 1200 0 0 0 250 75 0 0 20 0 8 0 "
    "123456 987654321 2048 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";

TEST(ParseProcStat, ReadsTheFieldsAfterTheLastParenthesis) {
  const auto s = ParseProcStat(kStat);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->utime_ticks, 250u);
  EXPECT_EQ(s->stime_ticks, 75u);
  EXPECT_EQ(s->starttime_ticks, 123456u);
  EXPECT_EQ(s->vsize_bytes, 987654321u);
  EXPECT_EQ(s->rss_pages, 2048);
}

TEST(ParseProcStat, RejectsMalformedInput) {
  EXPECT_FALSE(ParseProcStat(""));
  EXPECT_FALSE(ParseProcStat("4242 (app S 1 2 3"));
  EXPECT_FALSE(ParseProcStat("4242 (app) S 1 2 3"));  // too few fields
  std::string bad = kStat;
  bad.replace(bad.find(" 250 "), 5, " 2x0 ");
  EXPECT_FALSE(ParseProcStat(bad));
  EXPECT_FALSE(ParseProcStat(std::string(100000, ')')));
}

TEST(ParseBootTime, FindsTheBtimeLine) {
  EXPECT_EQ(ParseBootTime("cpu 1 2 3\nbtime 1700000000\nprocesses 5\n"), 1700000000u);
  EXPECT_FALSE(ParseBootTime("cpu 1 2 3\n"));
  EXPECT_FALSE(ParseBootTime("btime abc\n"));
  EXPECT_FALSE(ParseBootTime("btime -5\n"));
}

TEST(ParseMaxOpenFiles, ReadsTheSoftLimit) {
  constexpr const char* kLimits =
      "Limit                     Soft Limit           Hard Limit           Units     \n"
      "Max cpu time              unlimited            unlimited            seconds   \n"
      "Max open files            1024                 524288               files     \n";
  EXPECT_EQ(ParseMaxOpenFiles(kLimits), 1024u);
  EXPECT_EQ(ParseMaxOpenFiles("Max open files            unlimited            unlimited files\n"),
            std::numeric_limits<std::uint64_t>::max());
  EXPECT_FALSE(ParseMaxOpenFiles("Max processes 10 10 processes\n"));
  EXPECT_FALSE(ParseMaxOpenFiles("Max open files   lots   lots\n"));
}

TEST(ProcessCollector, ReportsThisProcess) {
  ProcessCollector collector;
  const std::string before = testing::Expose(collector);
  const double fds_before = *testing::Sample(before, "process_open_fds");
  const int fd = open("/dev/null", O_RDONLY);
  ASSERT_GE(fd, 0);
  // Touch 64 MiB so resident memory visibly grows.
  constexpr std::size_t kBytes = 64u << 20;
  auto block = std::make_unique<char[]>(kBytes);
  std::memset(block.get(), 1, kBytes);
  // Burn a little CPU so the counter moves past one tick.
  volatile double x = 0;
  const std::clock_t start = std::clock();
  while (std::clock() - start < CLOCKS_PER_SEC / 20) x = x + 1;

  const std::string after = testing::Expose(collector);
  close(fd);
  EXPECT_EQ(*testing::Sample(after, "process_open_fds"), fds_before + 1);
  EXPECT_GE(*testing::Sample(after, "process_resident_memory_bytes") -
                *testing::Sample(before, "process_resident_memory_bytes"),
            60.0 * (1 << 20));
  EXPECT_GT(*testing::Sample(after, "process_cpu_seconds_total"),
            *testing::Sample(before, "process_cpu_seconds_total"));
  EXPECT_GE(*testing::Sample(after, "process_virtual_memory_bytes"),
            *testing::Sample(after, "process_resident_memory_bytes"));
  const double start_time = *testing::Sample(after, "process_start_time_seconds");
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(start_time, now + 1);
  EXPECT_GT(start_time, now - 3600);
  EXPECT_GT(*testing::Sample(after, "process_max_fds"), 0);
  EXPECT_NE(after.find("# TYPE process_cpu_seconds_total counter"), std::string::npos);
}

TEST(ProcessCollector, LeavesOutWhatItCannotRead) {
  ProcessCollector collector("/nonexistent", "/nonexistent/stat");
  EXPECT_TRUE(collector.Collect().empty());
}

}  // namespace
}  // namespace pulse::red
