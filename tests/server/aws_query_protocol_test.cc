// The Query protocol's transcoding: form bodies to JSON 1.0 (nested members,
// lists, numbers, booleans, bad indexes and encodings) and JSON answers to XML
// (lists, maps, timestamps, escaping, errors).
#include "server/aws_query_protocol.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../common/status_matchers.h"

namespace gamelake {
namespace {

using ::testing::HasSubstr;

constexpr char kHead[] = "Action=PutMetricData&Version=2010-08-01&";

std::string Json(const std::string& form) {
  Result<QueryCall> call = QueryFormToJson(form);
  EXPECT_THAT(call, IsOk()) << form;
  return call.ok() ? call->json : "";
}

TEST(QueryFormTest, NestedMembersListsNumbersAndBooleans) {
  Result<QueryCall> call = QueryFormToJson(
      std::string(kHead) +
      "Namespace=game+lab&MetricData.member.1.MetricName=wins&MetricData.member.1.Value=2.5&"
      "MetricData.member.1.Dimensions.member.1.Name=Mode&"
      "MetricData.member.1.Dimensions.member.1.Value=7&"
      "MetricData.member.1.Timestamp=2026-11-30T02%3A55%3A00.5Z&"
      "MetricData.member.2.MetricName=x%26y&MetricData.member.2.Values.member.2=-3e2&"
      "MetricData.member.2.Values.member.1=1&MetricData.member.2.StorageResolution=1&"
      "MetricData.member.2.StatisticValues.Sum=4&MetricData.member.2.Dimensions=");
  GL_ASSERT_OK(call);
  EXPECT_EQ(call->action, "PutMetricData");
  // A Dimension's Value stays text; a datum's Value is a number.
  EXPECT_EQ(call->json,
            R"({"MetricData":[{"Dimensions":[{"Name":"Mode","Value":"7"}],"MetricName":"wins",)"
            R"("Timestamp":"2026-11-30T02:55:00.5Z","Value":2.5},{"Dimensions":[],)"
            R"("MetricName":"x&y","StatisticValues":{"Sum":4},"StorageResolution":1,)"
            R"("Values":[1,-300]}],"Namespace":"game lab"})");
}

TEST(QueryFormTest, QueriesStatisticsAndAlarmMembers) {
  EXPECT_EQ(Json("Action=GetMetricData&Version=2010-08-01&MetricDataQueries.member.1.Id=a&"
                 "MetricDataQueries.member.1.ReturnData=false&"
                 "MetricDataQueries.member.1.MetricStat.Metric.Namespace=n&"
                 "MetricDataQueries.member.1.MetricStat.Period=60&MaxDatapoints=10"),
            R"({"MaxDatapoints":10,"MetricDataQueries":[{"Id":"a","MetricStat":{"Metric":)"
            R"({"Namespace":"n"},"Period":60},"ReturnData":false}]})");
  EXPECT_EQ(Json("Action=GetMetricStatistics&Version=2010-08-01&Statistics.member.1=Sum&"
                 "Statistics.member.2=p90"),
            R"({"Statistics":["Sum","p90"]})");
  EXPECT_EQ(Json("Action=PutMetricAlarm&Version=2010-08-01&AlarmName=a&Threshold=1.5&"
                 "EvaluationPeriods=3&DatapointsToAlarm=2&ActionsEnabled=true&"
                 "AlarmActions.member.1=arn&Tags.member.1.Key=k&Tags.member.1.Value=9"),
            R"({"ActionsEnabled":true,"AlarmActions":["arn"],"AlarmName":"a",)"
            R"("DatapointsToAlarm":2,"EvaluationPeriods":3,"Tags":[{"Key":"k","Value":"9"}],)"
            R"("Threshold":1.5})");
  EXPECT_EQ(Json("Action=DescribeAlarms&Version=2010-08-01&MaxRecords=50&AlarmNames.member.1=x"),
            R"({"AlarmNames":["x"],"MaxRecords":50})");
  EXPECT_EQ(Json("Version=2010-08-01&Action=ListDashboards"), "{}");
  EXPECT_EQ(Json(std::string(kHead) + "MetricData.member.1.Value=NaN"),
            R"({"MetricData":[{"Value":"NaN"}]})");
}

void ExpectRefused(const std::string& form, const std::string& message) {
  EXPECT_THAT(QueryFormToJson(form), StatusIs(Status::Code::kInvalidArgument, message)) << form;
}

TEST(QueryFormTest, BadFormsNameTheParameter) {
  ExpectRefused("Version=2010-08-01", "MissingAction: ");
  ExpectRefused("", "MissingAction: ");
  ExpectRefused("Action=ListMetrics", "MissingParameter: the parameter Version");
  ExpectRefused("Action=ListMetrics&Version=2011-01-01",
                "InvalidParameterValue: Version '2011-01-01' is not served");
  ExpectRefused(std::string(kHead) + "Namespace=a%2", "MalformedQueryString: Namespace: '%'");
  ExpectRefused(std::string(kHead) + "Name%zz=a", "MalformedQueryString: a parameter name");
  ExpectRefused(std::string(kHead) + "MetricData.member.0.Value=1",
                "InvalidParameterValue: MetricData.member.0: list members are numbered from 1");
  ExpectRefused(std::string(kHead) + "MetricData.member.1.Value=1&MetricData.member.3.Value=1",
                "InvalidParameterValue: MetricData.member.2 is missing (member.3 is given)");
  ExpectRefused(std::string(kHead) + "MetricData.member.x.Value=1",
                "InvalidParameterValue: MetricData.member.x: a list member's index");
  ExpectRefused(std::string(kHead) + "MetricData.member.99999999999999999999=1",
                "InvalidParameterValue: MetricData.member.99999999999999999999");
  ExpectRefused(std::string(kHead) + "MetricData.member.1000=1",
                "InvalidParameterValue: MetricData.member.1000: the list has 3 members at most");
  ExpectRefused(std::string(kHead) + "MetricData.member=1",
                "InvalidParameterValue: MetricData.member: a list member without an index");
  ExpectRefused(std::string(kHead) + "MetricData.member.1.Value=abc",
                "InvalidParameterValue: MetricData.member.1.Value: 'abc' is not a number");
  ExpectRefused(std::string(kHead) + "MetricData.member.1.Values.member.1=1x",
                "MetricData.member.1.Values.member.1: '1x' is not a number");
  ExpectRefused("Action=GetMetricData&Version=2010-08-01&MetricDataQueries.member.1.ReturnData=no",
                "MetricDataQueries.member.1.ReturnData: 'no' is not true or false");
  ExpectRefused(std::string(kHead) + "Namespace=a&Namespace.Sub=b",
                "Namespace: given both as a value and as a list or structure");
  ExpectRefused(std::string(kHead) + "Namespace=a&Namespace=b", "Namespace: given twice");
  ExpectRefused(std::string(kHead) + "a..b=1", "MalformedQueryString: 'a..b': an empty member");
}

TEST(QueryXmlTest, ListsMapsTimestampsAndEscaping) {
  Result<std::string> xml = QueryXmlAnswer(
      "GetMetricData",
      R"({"MetricDataResults":[{"Id":"a","Label":"<&>\"'","Timestamps":[1796007300,1796007300.25],)"
      R"("Values":[1,2.5],"StatusCode":"Complete"}],"Messages":[],"NextToken":null})",
      "req-1");
  GL_ASSERT_OK(xml);
  EXPECT_EQ(*xml,
            "<GetMetricDataResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"
            "<GetMetricDataResult><MetricDataResults><member><Id>a</Id>"
            "<Label>&lt;&amp;&gt;&quot;&apos;</Label><Timestamps>"
            "<member>2026-11-30T02:55:00Z</member><member>2026-11-30T02:55:00.25Z</member>"
            "</Timestamps><Values><member>1</member><member>2.5</member></Values>"
            "<StatusCode>Complete</StatusCode></member></MetricDataResults><Messages></Messages>"
            "</GetMetricDataResult><ResponseMetadata><RequestId>req-1</RequestId>"
            "</ResponseMetadata></GetMetricDataResponse>");
  Result<std::string> stats = QueryXmlAnswer(
      "GetMetricStatistics",
      R"({"Label":"wins","Datapoints":[{"Timestamp":60,"Sum":3,"ExtendedStatistics":{"p90":2.5}}]})",
      "r");
  GL_ASSERT_OK(stats);
  EXPECT_THAT(*stats, HasSubstr("<Datapoints><member><Timestamp>1970-01-01T00:01:00Z</Timestamp>"
                                "<Sum>3</Sum><ExtendedStatistics><entry><key>p90</key>"
                                "<value>2.5</value></entry></ExtendedStatistics></member>"));
}

TEST(QueryXmlTest, NoOutputIsJustResponseMetadata) {
  Result<std::string> xml = QueryXmlAnswer("PutMetricData", "{}", "r-2");
  GL_ASSERT_OK(xml);
  EXPECT_EQ(*xml,
            "<PutMetricDataResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"
            "<ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata>"
            "</PutMetricDataResponse>");
  EXPECT_THAT(QueryXmlAnswer("PutMetricData", "[1]", "r"), StatusIs(Status::Code::kInternal, ""));
}

TEST(QueryXmlTest, ErrorsSayWhoseFault) {
  EXPECT_EQ(QueryXmlError({"InvalidParameterValue", 400, "Value <x> & y"}, "r"),
            "<ErrorResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><Error>"
            "<Type>Sender</Type><Code>InvalidParameterValue</Code>"
            "<Message>Value &lt;x&gt; &amp; y</Message></Error><RequestId>r</RequestId>"
            "</ErrorResponse>");
  EXPECT_THAT(QueryXmlError({"InternalServiceError", 500, "x"}, "r"),
              HasSubstr("<Type>Receiver</Type>"));
}

TEST(QueryXmlTest, ControlCharactersInTextBecomeReplacementCharacters) {
  EXPECT_THAT(QueryXmlError({"InvalidParameterValue", 400, "a\tb\nc\x01"}, "r"),
              HasSubstr("<Message>a&#9;b&#10;c\xEF\xBF\xBD</Message>"));
}

TEST(QueryXmlTest, TimestampsAreIso8601) {
  EXPECT_EQ(IsoTimestamp(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(IsoTimestamp(1.5), "1970-01-01T00:00:01.5Z");
  EXPECT_EQ(IsoTimestamp(1796007300.123), "2026-11-30T02:55:00.123Z");
  EXPECT_EQ(IsoTimestamp(-0.25), "1969-12-31T23:59:59.75Z");
}

}  // namespace
}  // namespace gamelake
