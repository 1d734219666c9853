#include "streaming/window_join.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "../common/status_matchers.h"
#include "operator_test_util.h"
#include "streaming/value_ops.h"

namespace gamelake {
namespace {

using namespace testing_util;  // NOLINT: test helpers.

constexpr int64_t kMinute = 60'000;

// left.column = right.column, SQL's way (NULL when either is NULL).
class EqualsExpr final : public BoundExpr {
 public:
  EqualsExpr(int left, int right) : left_(left), right_(right) {}
  ValueType type() const override { return ValueType::kBoolean; }
  SqlPos pos() const override { return {5, 6}; }
  Status Eval(const EvalRows& in, SqlValue* out) const override {
    const SqlValue& a = in.rows[0]->values[left_];
    const SqlValue& b = in.rows[1]->values[right_];
    if (a.is_null || b.is_null) {
      *out = SqlValue::Null(ValueType::kBoolean);
    } else if (a.type == ValueType::kString && a.s == "boom") {
      return Status::InvalidArgument("5:6: cannot compare 'boom'");
    } else {
      *out = SqlValue::Boolean(CompareValues(a, b) == 0);
    }
    return Status::OK();
  }

 private:
  int left_, right_;
};

WindowJoin::Side Side(WindowJoin::Side::Window window, int64_t amount, bool keyed, int input) {
  WindowJoin::Side side;
  side.window = window;
  if (window == WindowJoin::Side::Window::kRange) side.range_ms = amount;
  if (window == WindowJoin::Side::Window::kRows) side.preceding_rows = amount;
  side.column_types = {ValueType::kInteger};
  if (keyed) side.keys = Exprs(Col(0, ValueType::kInteger, input));
  return side;
}

WindowJoin::Side MinuteWindow(bool keyed, int input) {
  return Side(WindowJoin::Side::Window::kRange, kMinute, keyed, input);
}
WindowJoin::Side NoWindow(bool keyed, int input) {
  return Side(WindowJoin::Side::Window::kCurrentRow, 0, keyed, input);
}

// The KDA SQL reference's JOIN clause examples: ORDERS_STREAM (left, input
// 0) and SHIPMENTS_STREAM (right, input 1), one "orderid" column each, in
// ROWTIME order; the order for 100 arrives late (after its shipment).
std::vector<Event> OrdersAndShipments() {
  return {
      In(Row(Tod("10:00:00"), {I(101)}), 0),
      In(Row(Tod("10:00:00"), {I(100)}), 1),
      In(Row(Tod("10:00:20"), {I(102)}), 0),
      In(Row(Tod("10:00:30"), {I(103)}), 0),
      In(Row(Tod("10:00:40"), {I(104)}), 0),
      In(Row(Tod("10:00:45"), {I(104)}), 1),
      In(Row(Tod("10:00:45"), {I(100)}), 0),
      In(Row(Tod("10:00:50"), {I(105)}), 1),
      Advance(Tod("10:05:00")),
  };
}

// An output row: [o.orderid, o.ROWTIME, s.orderid, s.ROWTIME] at `rowtime`;
// an empty time is a NULL side.
StreamRow Out(const char* rowtime, int order, const char* order_time, int shipment,
              const char* shipment_time) {
  std::vector<SqlValue> v;
  if (order_time[0] != 0) {
    v = {I(order), T(Tod(order_time))};
  } else {
    v = {NullOf(ValueType::kInteger), NullOf(ValueType::kTimestamp)};
  }
  if (shipment_time[0] != 0) {
    v.push_back(I(shipment));
    v.push_back(T(Tod(shipment_time)));
  } else {
    v.push_back(NullOf(ValueType::kInteger));
    v.push_back(NullOf(ValueType::kTimestamp));
  }
  return Row(Tod(rowtime), std::move(v));
}

struct JoinCase {
  std::string name;
  SqlJoin::Type type;
  bool orders_window;
  bool shipments_window;
  std::vector<StreamRow> want;
};

std::vector<JoinCase> KdaJoinExamples() {
  using Type = SqlJoin::Type;
  return {
      {"Example 1: window on one side, INNER",
       Type::kInner,
       true,
       false,
       {Out("10:00:45", 104, "10:00:40", 104, "10:00:45")}},
      {"Example 2: windows on both sides, INNER",
       Type::kInner,
       true,
       true,
       {Out("10:00:45", 104, "10:00:40", 104, "10:00:45"),
        Out("10:00:45", 100, "10:00:45", 100, "10:00:00")}},
      {"Example 3: window on one side, RIGHT",
       Type::kRight,
       true,
       false,
       {Out("10:00:00", 0, "", 100, "10:00:00"), Out("10:00:45", 104, "10:00:40", 104, "10:00:45"),
        Out("10:00:50", 0, "", 105, "10:00:50")}},
      {"Example 4: windows on both sides, RIGHT",
       Type::kRight,
       true,
       true,
       {Out("10:00:45", 104, "10:00:40", 104, "10:00:45"),
        Out("10:00:45", 100, "10:00:45", 100, "10:00:00"),
        Out("10:01:50", 0, "", 105, "10:00:50")}},
      // The reference also lists 104 (and in example 6, 100) NULL-extended at
      // the end of their windows although they matched; see window_join.h.
      {"Example 5: window on one side, LEFT",
       Type::kLeft,
       true,
       false,
       {Out("10:00:45", 104, "10:00:40", 104, "10:00:45"), Out("10:01:00", 101, "10:00:00", 0, ""),
        Out("10:01:20", 102, "10:00:20", 0, ""), Out("10:01:30", 103, "10:00:30", 0, ""),
        Out("10:01:45", 100, "10:00:45", 0, "")}},
      {"Example 6: windows on both sides, LEFT",
       Type::kLeft,
       true,
       true,
       {Out("10:00:45", 104, "10:00:40", 104, "10:00:45"),
        Out("10:00:45", 100, "10:00:45", 100, "10:00:00"), Out("10:01:00", 101, "10:00:00", 0, ""),
        Out("10:01:20", 102, "10:00:20", 0, ""), Out("10:01:30", 103, "10:00:30", 0, "")}},
  };
}

std::unique_ptr<WindowJoin> MakeJoin(const JoinCase& c, bool keyed) {
  auto side = [&](bool window, int input) {
    return window ? MinuteWindow(keyed, input) : NoWindow(keyed, input);
  };
  return std::make_unique<WindowJoin>(c.type, side(c.orders_window, 0), side(c.shipments_window, 1),
                                      keyed ? nullptr : std::make_unique<EqualsExpr>(0, 0),
                                      1 << 30);
}

TEST(WindowJoinTest, KdaJoinExamples) {
  for (bool keyed : {true, false}) {
    for (const JoinCase& c : KdaJoinExamples()) {
      SCOPED_TRACE(c.name + (keyed ? " (keys)" : " (condition)"));
      auto op = MakeJoin(c, keyed);
      CollectingEmitter out;
      std::vector<Event> steps = OrdersAndShipments();
      RunSteps(op.get(), steps, 0, steps.size(), &out);
      EXPECT_EQ(out.rows, c.want);
      EXPECT_TRUE(out.errors.empty());
      EXPECT_EQ(op->LeftRowtimeColumn(), 1);
      EXPECT_EQ(op->RightColumn(0), 2);
      EXPECT_EQ(op->RightRowtimeColumn(), 3);
    }
  }
}

TEST(WindowJoinTest, OuterRowsWaitForTheirWindowToEnd) {
  JoinCase c = KdaJoinExamples()[4];  // LEFT JOIN, a minute on the orders.
  auto op = MakeJoin(c, true);
  CollectingEmitter out;
  GL_ASSERT_OK(op->Push(0, Row(Tod("10:00:00"), {I(101)}), &out));
  GL_ASSERT_OK(op->AdvanceTime(Tod("10:01:00"), &out));  // A shipment at 10:01:00 still matches.
  EXPECT_TRUE(out.rows.empty());
  GL_ASSERT_OK(op->Push(1, Row(Tod("10:01:00"), {I(101)}), &out));
  GL_ASSERT_OK(op->AdvanceTime(Tod("10:01:00.001"), &out));
  EXPECT_EQ(out.rows, std::vector<StreamRow>{Out("10:01:00", 101, "10:00:00", 101, "10:01:00")});
}

TEST(WindowJoinTest, FullJoinRowsWindowsAndNullKeys) {
  WindowJoin op(SqlJoin::Type::kFull, Side(WindowJoin::Side::Window::kRows, 1, true, 0),
                Side(WindowJoin::Side::Window::kRange, 10'000, true, 1), nullptr, 1 << 30);
  CollectingEmitter out;
  GL_ASSERT_OK(op.Push(0, Row(1'000, {I(1)}), &out));
  GL_ASSERT_OK(op.Push(0, Row(2'000, {NullOf(ValueType::kInteger)}), &out));
  GL_ASSERT_OK(op.Push(1, Row(3'000, {I(1)}), &out));  // Matches the left 1 (in its 2 rows).
  GL_ASSERT_OK(op.Push(1, Row(3'500, {NullOf(ValueType::kInteger)}), &out));  // NULL never matches.
  GL_ASSERT_OK(op.Push(0, Row(4'000, {I(7)}), &out));  // Pushes the left 1 out (it matched).
  GL_ASSERT_OK(op.Push(0, Row(5'000, {I(8)}), &out));  // Pushes the left NULL out, unmatched.
  GL_ASSERT_OK(op.AdvanceTime(20'000, &out));          // The right rows leave their window.
  auto v = [](int64_t x) { return I(x); };
  SqlValue ni = NullOf(ValueType::kInteger), nt = NullOf(ValueType::kTimestamp);
  std::vector<StreamRow> want = {
      Row(3'000, {v(1), T(1'000), v(1), T(3'000)}),
      Row(5'000, {ni, T(2'000), ni, nt}),
      Row(13'500, {ni, nt, ni, T(3'500)}),
  };
  EXPECT_EQ(out.rows, want);
}

TEST(WindowJoinTest, ConditionErrorsGoToTheErrorStream) {
  WindowJoin::Side left = MinuteWindow(false, 0);
  WindowJoin::Side right = MinuteWindow(false, 1);
  left.column_types = right.column_types = {ValueType::kString};
  WindowJoin op(SqlJoin::Type::kInner, std::move(left), std::move(right),
                std::make_unique<EqualsExpr>(0, 0), 1 << 30);
  CollectingEmitter out;
  GL_ASSERT_OK(op.Push(0, Row(1, {S("boom")}), &out));
  GL_ASSERT_OK(op.Push(0, Row(2, {S("x")}), &out));
  GL_ASSERT_OK(op.Push(1, Row(3, {S("x")}), &out));
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_EQ(out.errors[0].pos, (SqlPos{5, 6}));
  EXPECT_EQ(out.errors[0].row, Row(3, {S("x")}));
  ASSERT_EQ(out.rows.size(), 1u);
  EXPECT_EQ(out.rows[0], Row(3, {S("x"), T(2), S("x"), T(3)}));
}

TEST(WindowJoinTest, SaveLoadMidWindowContinuesAsIfUninterrupted) {
  for (const JoinCase& c : KdaJoinExamples()) {
    SCOPED_TRACE(c.name);
    ExpectSaveLoadEquivalence([&] { return MakeJoin(c, true); }, OrdersAndShipments());
  }
  JoinCase full{"full", SqlJoin::Type::kFull, true, true, {}};
  ExpectSaveLoadEquivalence([&] { return MakeJoin(full, false); }, OrdersAndShipments());
}

TEST(WindowJoinTest, StateOverItsBoundIsResourceExhausted) {
  WindowJoin op(SqlJoin::Type::kInner, MinuteWindow(true, 0), MinuteWindow(true, 1), nullptr,
                16 * 1024);
  CollectingEmitter out;
  Status s;
  int i = 0;
  while (s.ok() && i < 100'000) s = op.Push(i % 2, Row(i, {I(i)}), &out), ++i;
  EXPECT_THAT(s, StatusIs(Status::Code::kResourceExhausted, "a stream-to-stream join holds"));
}

}  // namespace
}  // namespace gamelake
