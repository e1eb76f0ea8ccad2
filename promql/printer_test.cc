#include "promql/printer.h"

#include <catch2/catch.hpp>

#include "base/duration.h"
#include "promql/parser/parse.h"

namespace promql {
namespace {

struct PrettyCase {
  std::string_view input;
  std::string_view expected;
  size_t max_line_length;
};

// Prometheus's prettifier output (promql/parser/prettier_test.go inputs, which use a line limit
// of 10, and long queries at the default 100), checked against Prometheus.
constexpr PrettyCase kPrettyCases[] = {
    {R"(sum(foo))", R"(sum(foo))", 10},
    {R"(sum by() (task:errors:rate10s{job="s"}))",
     R"(sum(
  task:errors:rate10s{job="s"}
))",
     10},
    {R"(sum(
  task:errors:rate10s{job="s"}
))",
     R"(sum(
  task:errors:rate10s{job="s"}
))",
     10},
    {R"(sum without(job,foo) (task:errors:rate10s{job="s"}))",
     R"(sum without (job, foo) (
  task:errors:rate10s{job="s"}
))",
     10},
    {R"(sum without (job, foo) (
  task:errors:rate10s{job="s"}
))",
     R"(sum without (job, foo) (
  task:errors:rate10s{job="s"}
))",
     10},
    {R"(sum(task:errors:rate10s{job="s"}) without(job,foo))",
     R"(sum without (job, foo) (
  task:errors:rate10s{job="s"}
))",
     10},
    {R"(sum by(job,foo) (task:errors:rate10s{job="s"}))",
     R"(sum by (job, foo) (
  task:errors:rate10s{job="s"}
))",
     10},
    {R"(sum by (job, foo) (
  task:errors:rate10s{job="s"}
))",
     R"(sum by (job, foo) (
  task:errors:rate10s{job="s"}
))",
     10},
    {R"(sum (task:errors:rate10s{job="s"}) by(job,foo))",
     R"(sum by (job, foo) (
  task:errors:rate10s{job="s"}
))",
     10},
    {R"(topk(10, ask:errors:rate10s{job="s"}))",
     R"(topk(
  10,
  ask:errors:rate10s{job="s"}
))",
     10},
    {R"(topk(
  10,
  ask:errors:rate10s{job="s"}
))",
     R"(topk(
  10,
  ask:errors:rate10s{job="s"}
))",
     10},
    {R"(sum by(job,foo) (sum by(job,foo) (task:errors:rate10s{job="s"})))",
     R"(sum by (job, foo) (
  sum by (job, foo) (
    task:errors:rate10s{job="s"}
  )
))",
     10},
    {R"(sum by (job, foo) (
  sum by (job, foo) (
    task:errors:rate10s{job="s"}
  )
))",
     R"(sum by (job, foo) (
  sum by (job, foo) (
    task:errors:rate10s{job="s"}
  )
))",
     10},
    {R"(sum by(job,foo) (sum by(job,foo) (sum by(job,foo) (task:errors:rate10s{job="s"}))))",
     R"(sum by (job, foo) (
  sum by (job, foo) (
    sum by (job, foo) (
      task:errors:rate10s{job="s"}
    )
  )
))",
     10},
    {R"(sum by (job, foo) (
  sum by (job, foo) (
    sum by (job, foo) (
      task:errors:rate10s{job="s"}
    )
  )
))",
     R"(sum by (job, foo) (
  sum by (job, foo) (
    sum by (job, foo) (
      task:errors:rate10s{job="s"}
    )
  )
))",
     10},
    {R"(sum by(job,foo)
(sum by(job,foo) (task:errors:rate10s{job="s"})))",
     R"(sum by (job, foo) (
  sum by (job, foo) (
    task:errors:rate10s{job="s"}
  )
))",
     10},
    {R"(sum by(job,foo)
(sum(task:errors:rate10s{job="s"}) without(job,foo)))",
     R"(sum by (job, foo) (
  sum without (job, foo) (
    task:errors:rate10s{job="s"}
  )
))",
     10},
    {R"(sum by (job, foo) (
  sum without (job, foo) (
    task:errors:rate10s{job="s"}
  )
))",
     R"(sum by (job, foo) (
  sum without (job, foo) (
    task:errors:rate10s{job="s"}
  )
))",
     10},
    {R"(sum by(job,foo) # Comment 1.
(sum by(job,foo) ( # Comment 2.
task:errors:rate10s{job="s"})))",
     R"(sum by (job, foo) (
  sum by (job, foo) (
    task:errors:rate10s{job="s"}
  )
))",
     10},
    {R"(a+b)", R"(a + b)", 10},
    {R"(a + b)", R"(a + b)", 10},
    {R"(a == bool 1)",
     R"(  a
== bool
  1)",
     10},
    {R"(  a
== bool
  1)",
     R"(  a
== bool
  1)",
     10},
    {R"(a + ignoring(job) b)",
     R"(  a
+ ignoring (job)
  b)",
     10},
    {R"(  a
+ ignoring (job)
  b)",
     R"(  a
+ ignoring (job)
  b)",
     10},
    {R"(foo_1 + foo_2)",
     R"(  foo_1
+
  foo_2)",
     10},
    {R"(  foo_1
+
  foo_2)",
     R"(  foo_1
+
  foo_2)",
     10},
    {R"(foo_1 + foo_2 + foo_3)",
     R"(    foo_1
  +
    foo_2
+
  foo_3)",
     10},
    {R"(    foo_1
  +
    foo_2
+
  foo_3)",
     R"(    foo_1
  +
    foo_2
+
  foo_3)",
     10},
    {R"(foo + baar + foo_3)",
     R"(  foo + baar
+
  foo_3)",
     10},
    {R"(  foo + baar
+
  foo_3)",
     R"(  foo + baar
+
  foo_3)",
     10},
    {R"(foo_1 + foo_2 + foo_3 + foo_4)",
     R"(      foo_1
    +
      foo_2
  +
    foo_3
+
  foo_4)",
     10},
    {R"(      foo_1
    +
      foo_2
  +
    foo_3
+
  foo_4)",
     R"(      foo_1
    +
      foo_2
  +
    foo_3
+
  foo_4)",
     10},
    {R"(foo_1 + ignoring(foo) foo_2 + ignoring(job) group_left foo_3 + on(instance) group_right foo_4)",
     R"(      foo_1
    + ignoring (foo)
      foo_2
  + ignoring (job) group_left ()
    foo_3
+ on (instance) group_right ()
  foo_4)",
     10},
    {R"(      foo_1
    + ignoring (foo)
      foo_2
  + ignoring (job) group_left ()
    foo_3
+ on (instance) group_right ()
  foo_4)",
     R"(      foo_1
    + ignoring (foo)
      foo_2
  + ignoring (job) group_left ()
    foo_3
+ on (instance) group_right ()
  foo_4)",
     10},
    {R"(rate(foo[1m]))",
     R"(rate(
  foo[1m]
))",
     10},
    {R"(rate(
  foo[1m]
))",
     R"(rate(
  foo[1m]
))",
     10},
    {R"(sum_over_time(foo[1m]))",
     R"(sum_over_time(
  foo[1m]
))",
     10},
    {R"(sum_over_time(
  foo[1m]
))",
     R"(sum_over_time(
  foo[1m]
))",
     10},
    {R"(rate(long_vector_selector[10m:1m] @ start() offset 1m))",
     R"(rate(
  long_vector_selector[10m:1m] @ start() offset 1m
))",
     10},
    {R"(rate(
  long_vector_selector[10m:1m] @ start() offset 1m
))",
     R"(rate(
  long_vector_selector[10m:1m] @ start() offset 1m
))",
     10},
    {R"(histogram_quantile(0.9, rate(foo[1m])))",
     R"(histogram_quantile(
  0.9,
  rate(
    foo[1m]
  )
))",
     10},
    {R"(histogram_quantile(
  0.9,
  rate(
    foo[1m]
  )
))",
     R"(histogram_quantile(
  0.9,
  rate(
    foo[1m]
  )
))",
     10},
    {R"(max_over_time(rate(demo_api_request_duration_seconds_count[1m])[1m:] @ start() offset 1m))",
     R"(max_over_time(
  rate(
    demo_api_request_duration_seconds_count[1m]
  )[1m:] @ start() offset 1m
))",
     10},
    {R"(max_over_time(
  rate(
    demo_api_request_duration_seconds_count[1m]
  )[1m:] @ start() offset 1m
))",
     R"(max_over_time(
  rate(
    demo_api_request_duration_seconds_count[1m]
  )[1m:] @ start() offset 1m
))",
     10},
    {R"(label_replace(up{job="api-server",service="a:c"}, "foo", "$1", "service", "(.*):.*"))",
     R"(label_replace(
  up{job="api-server",service="a:c"},
  "foo",
  "$1",
  "service",
  "(.*):.*"
))",
     10},
    {R"(label_replace(
  up{job="api-server",service="a:c"},
  "foo",
  "$1",
  "service",
  "(.*):.*"
))",
     R"(label_replace(
  up{job="api-server",service="a:c"},
  "foo",
  "$1",
  "service",
  "(.*):.*"
))",
     10},
    {R"(label_replace(label_replace(up{job="api-server",service="a:c"}, "foo", "$1", "service", "(.*):.*"), "foo", "$1", "service", "(.*):.*"))",
     R"(label_replace(
  label_replace(
    up{job="api-server",service="a:c"},
    "foo",
    "$1",
    "service",
    "(.*):.*"
  ),
  "foo",
  "$1",
  "service",
  "(.*):.*"
))",
     10},
    {R"(label_replace(
  label_replace(
    up{job="api-server",service="a:c"},
    "foo",
    "$1",
    "service",
    "(.*):.*"
  ),
  "foo",
  "$1",
  "service",
  "(.*):.*"
))",
     R"(label_replace(
  label_replace(
    up{job="api-server",service="a:c"},
    "foo",
    "$1",
    "service",
    "(.*):.*"
  ),
  "foo",
  "$1",
  "service",
  "(.*):.*"
))",
     10},
    {R"((foo))", R"((foo))", 10},
    {R"((_foo_long_))",
     R"((
  _foo_long_
))",
     10},
    {R"((
  _foo_long_
))",
     R"((
  _foo_long_
))",
     10},
    {R"(((foo_long)))",
     R"((
  (foo_long)
))",
     10},
    {R"((
  (foo_long)
))",
     R"((
  (foo_long)
))",
     10},
    {R"(((_foo_long_)))",
     R"((
  (
    _foo_long_
  )
))",
     10},
    {R"((
  (
    _foo_long_
  )
))",
     R"((
  (
    _foo_long_
  )
))",
     10},
    {R"((((foo_long))))",
     R"((
  (
    (foo_long)
  )
))",
     10},
    {R"((
  (
    (foo_long)
  )
))",
     R"((
  (
    (foo_long)
  )
))",
     10},
    {R"(a @ 1)", R"(a @ 1.000)", 10},
    {R"(a @ 1.000)", R"(a @ 1.000)", 10},
    {R"(a @ start())", R"(a @ start())", 10},
    {R"(vector_selector @ start())", R"(vector_selector @ start())", 10},
    {R"((1 + 2))", R"((1 + 2))", 10},
    {R"((foo + bar))",
     R"((
  foo + bar
))",
     10},
    {R"((
  foo + bar
))",
     R"((
  foo + bar
))",
     10},
    {R"((foo_long + bar_long))",
     R"((
    foo_long
  +
    bar_long
))",
     10},
    {R"((
    foo_long
  +
    bar_long
))",
     R"((
    foo_long
  +
    bar_long
))",
     10},
    {R"((foo_long + bar_long + bar_2_long))",
     R"((
      foo_long
    +
      bar_long
  +
    bar_2_long
))",
     10},
    {R"((
      foo_long
    +
      bar_long
  +
    bar_2_long
))",
     R"((
      foo_long
    +
      bar_long
  +
    bar_2_long
))",
     10},
    {R"(((foo_long + bar_long) + bar_2_long))",
     R"((
    (
        foo_long
      +
        bar_long
    )
  +
    bar_2_long
))",
     10},
    {R"((
    (
        foo_long
      +
        bar_long
    )
  +
    bar_2_long
))",
     R"((
    (
        foo_long
      +
        bar_long
    )
  +
    bar_2_long
))",
     10},
    {R"((1111 + 2222))",
     R"((
    1111
  +
    2222
))",
     10},
    {R"((
    1111
  +
    2222
))",
     R"((
    1111
  +
    2222
))",
     10},
    {R"((sum_over_time(foo[1m])))",
     R"((
  sum_over_time(
    foo[1m]
  )
))",
     10},
    {R"((
  sum_over_time(
    foo[1m]
  )
))",
     R"((
  sum_over_time(
    foo[1m]
  )
))",
     10},
    {R"(histogram_quantile(0.9, rate(foo[1m] @ start())))",
     R"(histogram_quantile(
  0.9,
  rate(
    foo[1m] @ start()
  )
))",
     10},
    {R"(histogram_quantile(
  0.9,
  rate(
    foo[1m] @ start()
  )
))",
     R"(histogram_quantile(
  0.9,
  rate(
    foo[1m] @ start()
  )
))",
     10},
    {R"((label_replace(up{job="api-server",service="a:c"}, "foo", "$1", "service", "(.*):.*")))",
     R"((
  label_replace(
    up{job="api-server",service="a:c"},
    "foo",
    "$1",
    "service",
    "(.*):.*"
  )
))",
     10},
    {R"((
  label_replace(
    up{job="api-server",service="a:c"},
    "foo",
    "$1",
    "service",
    "(.*):.*"
  )
))",
     R"((
  label_replace(
    up{job="api-server",service="a:c"},
    "foo",
    "$1",
    "service",
    "(.*):.*"
  )
))",
     10},
    {R"((label_replace(label_replace(up{job="api-server",service="a:c"}, "foo", "$1", "service", "(.*):.*"), "foo", "$1", "service", "(.*):.*")))",
     R"((
  label_replace(
    label_replace(
      up{job="api-server",service="a:c"},
      "foo",
      "$1",
      "service",
      "(.*):.*"
    ),
    "foo",
    "$1",
    "service",
    "(.*):.*"
  )
))",
     10},
    {R"((
  label_replace(
    label_replace(
      up{job="api-server",service="a:c"},
      "foo",
      "$1",
      "service",
      "(.*):.*"
    ),
    "foo",
    "$1",
    "service",
    "(.*):.*"
  )
))",
     R"((
  label_replace(
    label_replace(
      up{job="api-server",service="a:c"},
      "foo",
      "$1",
      "service",
      "(.*):.*"
    ),
    "foo",
    "$1",
    "service",
    "(.*):.*"
  )
))",
     10},
    {R"((label_replace(label_replace((up{job="api-server",service="a:c"}), "foo", "$1", "service", "(.*):.*"), "foo", "$1", "service", "(.*):.*")))",
     R"((
  label_replace(
    label_replace(
      (
        up{job="api-server",service="a:c"}
      ),
      "foo",
      "$1",
      "service",
      "(.*):.*"
    ),
    "foo",
    "$1",
    "service",
    "(.*):.*"
  )
))",
     10},
    {R"((
  label_replace(
    label_replace(
      (
        up{job="api-server",service="a:c"}
      ),
      "foo",
      "$1",
      "service",
      "(.*):.*"
    ),
    "foo",
    "$1",
    "service",
    "(.*):.*"
  )
))",
     R"((
  label_replace(
    label_replace(
      (
        up{job="api-server",service="a:c"}
      ),
      "foo",
      "$1",
      "service",
      "(.*):.*"
    ),
    "foo",
    "$1",
    "service",
    "(.*):.*"
  )
))",
     10},
    {R"((node_filesystem_avail_bytes{job="node",fstype!=""} / node_filesystem_size_bytes{job="node",fstype!=""} * 100 < 40 and predict_linear(node_filesystem_avail_bytes{job="node",fstype!=""}[6h], 24*60*60) < 0 and node_filesystem_readonly{job="node",fstype!=""} == 0))",
     R"((
            node_filesystem_avail_bytes{fstype!="",job="node"}
          /
            node_filesystem_size_bytes{fstype!="",job="node"}
        *
          100
      <
        40
    and
        predict_linear(
          node_filesystem_avail_bytes{fstype!="",job="node"}[6h],
            24 * 60
          *
            60
        )
      <
        0
  and
      node_filesystem_readonly{fstype!="",job="node"}
    ==
      0
))",
     10},
    {R"((
            node_filesystem_avail_bytes{fstype!="",job="node"}
          /
            node_filesystem_size_bytes{fstype!="",job="node"}
        *
          100
      <
        40
    and
        predict_linear(
          node_filesystem_avail_bytes{fstype!="",job="node"}[6h],
            24 * 60
          *
            60
        )
      <
        0
  and
      node_filesystem_readonly{fstype!="",job="node"}
    ==
      0
))",
     R"((
            node_filesystem_avail_bytes{fstype!="",job="node"}
          /
            node_filesystem_size_bytes{fstype!="",job="node"}
        *
          100
      <
        40
    and
        predict_linear(
          node_filesystem_avail_bytes{fstype!="",job="node"}[6h],
            24 * 60
          *
            60
        )
      <
        0
  and
      node_filesystem_readonly{fstype!="",job="node"}
    ==
      0
))",
     10},
    {R"((node_filesystem_avail_bytes{job="node",fstype!=""} / node_filesystem_size_bytes{job="node",fstype!=""} * 100 < 20 and predict_linear(node_filesystem_avail_bytes{job="node",fstype!=""}[6h], 4*60*60) < 0 and node_filesystem_readonly{job="node",fstype!=""} == 0))",
     R"((
            node_filesystem_avail_bytes{fstype!="",job="node"}
          /
            node_filesystem_size_bytes{fstype!="",job="node"}
        *
          100
      <
        20
    and
        predict_linear(
          node_filesystem_avail_bytes{fstype!="",job="node"}[6h],
            4 * 60
          *
            60
        )
      <
        0
  and
      node_filesystem_readonly{fstype!="",job="node"}
    ==
      0
))",
     10},
    {R"((
            node_filesystem_avail_bytes{fstype!="",job="node"}
          /
            node_filesystem_size_bytes{fstype!="",job="node"}
        *
          100
      <
        20
    and
        predict_linear(
          node_filesystem_avail_bytes{fstype!="",job="node"}[6h],
            4 * 60
          *
            60
        )
      <
        0
  and
      node_filesystem_readonly{fstype!="",job="node"}
    ==
      0
))",
     R"((
            node_filesystem_avail_bytes{fstype!="",job="node"}
          /
            node_filesystem_size_bytes{fstype!="",job="node"}
        *
          100
      <
        20
    and
        predict_linear(
          node_filesystem_avail_bytes{fstype!="",job="node"}[6h],
            4 * 60
          *
            60
        )
      <
        0
  and
      node_filesystem_readonly{fstype!="",job="node"}
    ==
      0
))",
     10},
    {R"((node_timex_offset_seconds > 0.05 and deriv(node_timex_offset_seconds[5m]) >= 0) or (node_timex_offset_seconds < -0.05 and deriv(node_timex_offset_seconds[5m]) <= 0))",
     R"(  (
        node_timex_offset_seconds
      >
        0.05
    and
        deriv(
          node_timex_offset_seconds[5m]
        )
      >=
        0
  )
or
  (
        node_timex_offset_seconds
      <
        -0.05
    and
        deriv(
          node_timex_offset_seconds[5m]
        )
      <=
        0
  ))",
     10},
    {R"(  (
        node_timex_offset_seconds
      >
        0.05
    and
        deriv(
          node_timex_offset_seconds[5m]
        )
      >=
        0
  )
or
  (
        node_timex_offset_seconds
      <
        -0.05
    and
        deriv(
          node_timex_offset_seconds[5m]
        )
      <=
        0
  ))",
     R"(  (
        node_timex_offset_seconds
      >
        0.05
    and
        deriv(
          node_timex_offset_seconds[5m]
        )
      >=
        0
  )
or
  (
        node_timex_offset_seconds
      <
        -0.05
    and
        deriv(
          node_timex_offset_seconds[5m]
        )
      <=
        0
  ))",
     10},
    {R"(1 - ((node_memory_MemAvailable_bytes{job="node"} or (node_memory_Buffers_bytes{job="node"} + node_memory_Cached_bytes{job="node"} + node_memory_MemFree_bytes{job="node"} + node_memory_Slab_bytes{job="node"}) ) / node_memory_MemTotal_bytes{job="node"}))",
     R"(  1
-
  (
      (
          node_memory_MemAvailable_bytes{job="node"}
        or
          (
                  node_memory_Buffers_bytes{job="node"}
                +
                  node_memory_Cached_bytes{job="node"}
              +
                node_memory_MemFree_bytes{job="node"}
            +
              node_memory_Slab_bytes{job="node"}
          )
      )
    /
      node_memory_MemTotal_bytes{job="node"}
  ))",
     10},
    {R"(  1
-
  (
      (
          node_memory_MemAvailable_bytes{job="node"}
        or
          (
                  node_memory_Buffers_bytes{job="node"}
                +
                  node_memory_Cached_bytes{job="node"}
              +
                node_memory_MemFree_bytes{job="node"}
            +
              node_memory_Slab_bytes{job="node"}
          )
      )
    /
      node_memory_MemTotal_bytes{job="node"}
  ))",
     R"(  1
-
  (
      (
          node_memory_MemAvailable_bytes{job="node"}
        or
          (
                  node_memory_Buffers_bytes{job="node"}
                +
                  node_memory_Cached_bytes{job="node"}
              +
                node_memory_MemFree_bytes{job="node"}
            +
              node_memory_Slab_bytes{job="node"}
          )
      )
    /
      node_memory_MemTotal_bytes{job="node"}
  ))",
     10},
    {R"(min by (job, integration) (rate(alertmanager_notifications_failed_total{job="alertmanager", integration=~".*"}[5m]) / rate(alertmanager_notifications_total{job="alertmanager", integration="~.*"}[5m])) > 0.01)",
     R"(  min by (job, integration) (
      rate(
        alertmanager_notifications_failed_total{integration=~".*",job="alertmanager"}[5m]
      )
    /
      rate(
        alertmanager_notifications_total{integration="~.*",job="alertmanager"}[5m]
      )
  )
>
  0.01)",
     10},
    {R"(  min by (job, integration) (
      rate(
        alertmanager_notifications_failed_total{integration=~".*",job="alertmanager"}[5m]
      )
    /
      rate(
        alertmanager_notifications_total{integration="~.*",job="alertmanager"}[5m]
      )
  )
>
  0.01)",
     R"(  min by (job, integration) (
      rate(
        alertmanager_notifications_failed_total{integration=~".*",job="alertmanager"}[5m]
      )
    /
      rate(
        alertmanager_notifications_total{integration="~.*",job="alertmanager"}[5m]
      )
  )
>
  0.01)",
     10},
    {R"((count by (job) (changes(process_start_time_seconds{job="alertmanager"}[10m]) > 4) / count by (job) (up{job="alertmanager"})) >= 0.5)",
     R"(  (
      count by (job) (
          changes(
            process_start_time_seconds{job="alertmanager"}[10m]
          )
        >
          4
      )
    /
      count by (job) (
        up{job="alertmanager"}
      )
  )
>=
  0.5)",
     10},
    {R"(  (
      count by (job) (
          changes(
            process_start_time_seconds{job="alertmanager"}[10m]
          )
        >
          4
      )
    /
      count by (job) (
        up{job="alertmanager"}
      )
  )
>=
  0.5)",
     R"(  (
      count by (job) (
          changes(
            process_start_time_seconds{job="alertmanager"}[10m]
          )
        >
          4
      )
    /
      count by (job) (
        up{job="alertmanager"}
      )
  )
>=
  0.5)",
     10},
    {R"(-1)", R"(-1)", 10},
    {R"(-vector_selector)", R"(-vector_selector)", 10},
    {R"((-vector_selector))",
     R"((
  -vector_selector
))",
     10},
    {R"((
  -vector_selector
))",
     R"((
  -vector_selector
))",
     10},
    {R"(-histogram_quantile(0.9,rate(foo[1m])))",
     R"(-histogram_quantile(
  0.9,
  rate(
    foo[1m]
  )
))",
     10},
    {R"(-histogram_quantile(
  0.9,
  rate(
    foo[1m]
  )
))",
     R"(-histogram_quantile(
  0.9,
  rate(
    foo[1m]
  )
))",
     10},
    {R"(-histogram_quantile(0.99, sum by (le) (rate(foo[1m]))))",
     R"(-histogram_quantile(
  0.99,
  sum by (le) (
    rate(
      foo[1m]
    )
  )
))",
     10},
    {R"(-histogram_quantile(
  0.99,
  sum by (le) (
    rate(
      foo[1m]
    )
  )
))",
     R"(-histogram_quantile(
  0.99,
  sum by (le) (
    rate(
      foo[1m]
    )
  )
))",
     10},
    {R"(-histogram_quantile(0.9, -rate(foo[1m] @ start())))",
     R"(-histogram_quantile(
  0.9,
  -rate(
    foo[1m] @ start()
  )
))",
     10},
    {R"(-histogram_quantile(
  0.9,
  -rate(
    foo[1m] @ start()
  )
))",
     R"(-histogram_quantile(
  0.9,
  -rate(
    foo[1m] @ start()
  )
))",
     10},
    {R"((-histogram_quantile(0.9, -rate(foo[1m] @ start()))))",
     R"((
  -histogram_quantile(
    0.9,
    -rate(
      foo[1m] @ start()
    )
  )
))",
     10},
    {R"((
  -histogram_quantile(
    0.9,
    -rate(
      foo[1m] @ start()
    )
  )
))",
     R"((
  -histogram_quantile(
    0.9,
    -rate(
      foo[1m] @ start()
    )
  )
))",
     10},
    {R"(rate(foo[2*1h]))",
     R"(rate(
  foo[2 * 1h]
))",
     10},
    {R"(rate(
  foo[2 * 1h]
))",
     R"(rate(
  foo[2 * 1h]
))",
     10},
    {R"(rate(foo[-5m+35m]))",
     R"(rate(
  foo[-5m + 35m]
))",
     10},
    {R"(rate(
  foo[-5m + 35m]
))",
     R"(rate(
  foo[-5m + 35m]
))",
     10},
    {R"(sum(http_requests) by (job) + min(http_requests) by (job) + max(http_requests) by (job) + avg(http_requests) by (job))",
     R"(  sum by (job) (http_requests) + min by (job) (http_requests) + max by (job) (http_requests)
+
  avg by (job) (http_requests))",
     100},
    {R"(rate(metric{job="1"}[100s] @ 100) + label_replace(rate(metric{job="2"}[123s] @ 200), "job", "1", "", ""))",
     R"(  rate(metric{job="1"}[1m40s] @ 100.000)
+
  label_replace(rate(metric{job="2"}[2m3s] @ 200.000), "job", "1", "", ""))",
     100},
    {R"(sum_over_time(metric{job="1"}[100s] @ 100) + label_replace(sum_over_time(metric{job="2"}[100s] @ 100), "job", "1", "", ""))",
     R"(  sum_over_time(metric{job="1"}[1m40s] @ 100.000)
+
  label_replace(sum_over_time(metric{job="2"}[1m40s] @ 100.000), "job", "1", "", ""))",
     100},
    {R"(sum_over_time(metric{job="1"}[100] @ 100) + label_replace(sum_over_time(metric{job="2"}[100] @ 100), "job", "1", "", ""))",
     R"(  sum_over_time(metric{job="1"}[1m40s] @ 100.000)
+
  label_replace(sum_over_time(metric{job="2"}[1m40s] @ 100.000), "job", "1", "", ""))",
     100},
    {R"(sum_over_time(sum_over_time(sum_over_time(metric{job="1"}[100s] @ 100)[100s:25s] @ 50)[3s:1s] @ 3000))",
     R"(sum_over_time(
sum_over_time(sum_over_time(metric{job="1"}[1m40s] @ 100.000)[1m40s:25s] @ 50.000)[3s:1s] @ 3000.000
))",
     100},
    {R"(sum_over_time(sum_over_time(sum_over_time(metric{job="1"}[20s])[20s:10s] offset 10s)[100s:25s] @ 1000))",
     R"(sum_over_time(
sum_over_time(sum_over_time(metric{job="1"}[20s])[20s:10s] offset 10s)[1m40s:25s] @ 1000.000
))",
     100},
    {R"(count by(namespace, pod, cpu) (node_cpu_seconds_total{cpu=~".*",job="node-exporter",mode="idle",namespace="observability",pod="node-exporter-l454v"}) * on(namespace, pod) group_left(node) node_namespace_pod:kube_pod_info:{namespace="observability",pod="node-exporter-l454v"})",
     R"(  count by (namespace, pod, cpu) (
    node_cpu_seconds_total{cpu=~".*",job="node-exporter",mode="idle",namespace="observability",pod="node-exporter-l454v"}
  )
* on (namespace, pod) group_left (node)
  node_namespace_pod:kube_pod_info:{namespace="observability",pod="node-exporter-l454v"})",
     100},
    {R"(predict_linear(http_requests_total[50m], 3600) - (http_requests_total + deriv(http_requests_total[50m]) * 3600))",
     R"(  predict_linear(http_requests_total[50m], 3600)
-
  (http_requests_total + deriv(http_requests_total[50m]) * 3600))",
     100},
    {R"(histogram_fraction(-Inf, +Inf, lower_is_negative_Inf_and_upper_is_positive_Inf__positive_buckets__bucket))",
     R"(histogram_fraction(
  -Inf,
  +Inf,
  lower_is_negative_Inf_and_upper_is_positive_Inf__positive_buckets__bucket
))",
     100},
    {R"(histogram_fraction(-Inf, +Inf, lower_is_negative_Inf_and_upper_is_positive_Inf__negative_buckets__bucket))",
     R"(histogram_fraction(
  -Inf,
  +Inf,
  lower_is_negative_Inf_and_upper_is_positive_Inf__negative_buckets__bucket
))",
     100},
    {R"(sum(request_duration_seconds{job="job1",instance="ins1"} + ignoring(job,instance) request_duration_seconds{job="job1",instance="ins2"} + ignoring(job,instance) request_duration_seconds{job="job2",instance="ins1"} + ignoring(job,instance) request_duration_seconds{job="job2",instance="ins2"}))",
     R"(sum(
        request_duration_seconds{instance="ins1",job="job1"}
      + ignoring (job, instance)
        request_duration_seconds{instance="ins2",job="job1"}
    + ignoring (job, instance)
      request_duration_seconds{instance="ins1",job="job2"}
  + ignoring (job, instance)
    request_duration_seconds{instance="ins2",job="job2"}
))",
     100},
    {R"(count(limit_ratio(time() % 17/17, http_requests) or limit_ratio( - (1.0 - (time() % 17/17)), http_requests)))",
     R"(count(
    limit_ratio(time() % 17 / 17, http_requests)
  or
    limit_ratio(-(1 - (time() % 17 / 17)), http_requests)
))",
     100},
    {R"(count(limit_ratio(time() % 17/17, http_requests) and limit_ratio( - (1.0 - (time() % 17/17)), http_requests)))",
     R"(count(
    limit_ratio(time() % 17 / 17, http_requests)
  and
    limit_ratio(-(1 - (time() % 17 / 17)), http_requests)
))",
     100},
    {R"(abs(avg(limit_ratio(0.5, http_requests{instance!~"histogram_[0-9]"})) - avg(limit_ratio(-0.5, http_requests{instance!~"histogram_[0-9]"}))) <= bool stddev(http_requests{instance!~"histogram_[0-9]"}))",
     R"(  abs(
      avg(limit_ratio(0.5, http_requests{instance!~"histogram_[0-9]"}))
    -
      avg(limit_ratio(-0.5, http_requests{instance!~"histogram_[0-9]"}))
  )
<= bool
  stddev(http_requests{instance!~"histogram_[0-9]"}))",
     100},
    {"label_replace(sum by (__name__) (rate(metric_total{env=\"2\"}[5m])), \"__name__\", \"$1\", "
     "\"__name__\", \"(.+)\")",
     "label_replace(\n  sum by (__name__) (rate(metric_total{env=\"2\"}[5m])),\n  \"__name__\",\n  "
     "\"$1\",\n  \"__name__\",\n  \"(.+)\"\n)",
     100},
    {R"(sum by (job, instance, le, code, method) (rate(http_request_duration_seconds_bucket{job="api-server", code=~"2..", method="GET"}[5m])))",
     R"(sum by (job, instance, le, code, method) (
  rate(http_request_duration_seconds_bucket{code=~"2..",job="api-server",method="GET"}[5m])
))",
     100},
    {R"(histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="api-server",handler="/api/v1/query"}[5m]))) > bool 0.5)",
     R"(  histogram_quantile(
    0.99,
    sum by (le) (
      rate(http_request_duration_seconds_bucket{handler="/api/v1/query",job="api-server"}[5m])
    )
  )
> bool
  0.5)",
     100},
    {R"(-(sum(rate(http_requests_total{job="api-server",code=~"5.."}[5m])) / sum(rate(http_requests_total{job="api-server"}[5m]))))",
     R"(-(
    sum(rate(http_requests_total{code=~"5..",job="api-server"}[5m]))
  /
    sum(rate(http_requests_total{job="api-server"}[5m]))
))",
     100},
};

TEST_CASE("Prettify splits long expressions as Prometheus does", "[promql][printer]") {
  for (const PrettyCase& c : kPrettyCases) {
    INFO("query: " << c.input);
    auto e = parser::Parse(c.input, parser::ParseOptions::AllEnabled());
    REQUIRE(e.ok());
    CHECK(Prettify(**e, c.max_line_length) == c.expected);
    // The prettified text parses back to the same query.
    auto again =
        parser::Parse(Prettify(**e, c.max_line_length), parser::ParseOptions::AllEnabled());
    REQUIRE(again.ok());
    CHECK(Print(**again) == Print(**e));
  }
}

TEST_CASE("durations print as model.Duration.String", "[promql][printer]") {
  using std::chrono::milliseconds;
  CHECK(base::FormatDuration(milliseconds(0)) == "0s");
  CHECK(base::FormatDuration(milliseconds(1)) == "1ms");
  CHECK(base::FormatDuration(milliseconds(1500)) == "1s500ms");
  CHECK(base::FormatDuration(milliseconds(5400000)) == "1h30m");
  CHECK(base::FormatDuration(milliseconds(86400000LL * 7)) == "1w");
  CHECK(base::FormatDuration(milliseconds(86400000LL * 8)) == "8d");
  CHECK(base::FormatDuration(milliseconds(86400000LL * 14)) == "2w");
  CHECK(base::FormatDuration(milliseconds(86400000LL * 365)) == "1y");
  CHECK(base::FormatDuration(milliseconds(86400000LL * 400)) == "400d");  // years only when exact
  CHECK(base::FormatDuration(milliseconds(86400000LL * 730)) == "2y");
  CHECK(base::FormatDuration(milliseconds(-90000)) == "-1m30s");
  CHECK(base::FormatDuration(milliseconds(INT64_MIN)) == "-106751991167d7h12m55s808ms");
}

std::unique_ptr<VectorSelector> Selector(std::string name) {
  auto vs = std::make_unique<VectorSelector>();
  vs->name = name;
  vs->matchers.push_back(*model::Matcher::Make(model::MatchType::kEqual, "__name__", name));
  return vs;
}

TEST_CASE("Print writes trees built by hand", "[promql][printer]") {
  auto b = std::make_unique<BinaryExpr>();
  b->op = BinaryOp::kDiv;
  b->lhs = Selector("a");
  b->rhs = Selector("b");
  b->vector_matching = VectorMatching{};
  CHECK(Print(*b) == "a / b");
  b->vector_matching->on = true;
  CHECK(Print(*b) == "a / on () b");
  b->vector_matching->card = VectorMatching::Card::kOneToMany;
  b->vector_matching->matching_labels = {"job", "my.label"};
  b->vector_matching->include = {"x"};
  CHECK(Print(*b) == R"(a / on (job, "my.label") group_right (x) b)");
  b->vector_matching->fill_lhs = 0.5;
  b->vector_matching->fill_rhs = 1e21;
  CHECK(Print(*b) ==
        R"(a / on (job, "my.label") group_right (x) fill_left (0.5) fill_right (1e+21) b)");
  b->vector_matching.reset();
  b->return_bool = true;
  CHECK(Print(*b) == "a / bool b");

  auto vs = Selector("up");
  vs->timestamp = -1500;
  vs->original_offset = std::chrono::milliseconds(-60000);
  vs->anchored = true;
  CHECK(Print(*vs) == "up @ -1.500 anchored offset -1m");

  auto ms = std::make_unique<MatrixSelector>();
  ms->vector_selector = std::move(vs);
  ms->range = std::chrono::milliseconds(90000);
  CHECK(Print(*ms) == "up[1m30s] anchored @ -1.500 offset -1m");

  NumberLiteral n(1e6, {});
  CHECK(Print(n) == "1000000");
  NumberLiteral small(-2.5e-7, {});
  CHECK(Print(small) == "-0.00000025");
  NumberLiteral d(-90, {}, /*is_duration=*/true);
  CHECK(Print(d) == "-1m30s");
  StringLiteral s("tab\there \"é\" \\", {});
  CHECK(Print(s) == R"("tab\there \"é\" \\")");
  StringLiteral u(std::string("\xc2\xa0\x01\xff", 4), {});
  CHECK(Print(u) == R"("\u00a0\x01\xff")");
}

}  // namespace
}  // namespace promql
