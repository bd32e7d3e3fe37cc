package dev.baton.examples;

import static dev.baton.examples.TestTraces.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceHtmlTest {

  @Test
  void thePageNeedsNothingFromTheNetworkAndShowsWhereTheErrorStarts(@TempDir Path dir) throws Exception {
    TraceView trace = TraceView.of(TestTraces.failedOrder()).get(0);
    List<TraceLogs.Line> logs = List.of(new TraceLogs.Line(0, "ERROR", "inventory",
        "inventory-grpc-1", TestTraces.TRACE, "0000000000000003", "cannot reserve order o-2"));

    Path page = TraceHtml.write(trace, logs, dir.resolve("pages"));

    assertThat(page.getFileName().toString()).isEqualTo("trace-" + TestTraces.TRACE + ".html");
    String html = Files.readString(page, StandardCharsets.UTF_8);
    assertThat(html).startsWith("<!DOCTYPE html>")
        .doesNotContainIgnoringCase("<script")
        .doesNotContainIgnoringCase("<link")
        .doesNotContainIgnoringCase("src=")
        .doesNotContainIgnoringCase("url(")
        .doesNotContain("http://", "https://");
    // one row per span, the origin marked once, on inventory's server span
    assertThat(html.split("<details class=\"span", -1)).hasSize(4);
    assertThat(html.split("error starts here</span></span>", -1)).hasSize(2);
    assertThat(html.substring(html.indexOf("id=\"span-0000000000000003\"")))
        .contains("ERROR INTERNAL: stock ledger unavailable <span class=\"origin-mark\">");
    // attributes and the exception event inside the rows; the log line links to its span
    assertThat(html).contains("<th>server.port</th><td>4711</td>",
        "<th>exception.type</th><td>java.lang.IllegalStateException</td>",
        "<a href=\"#span-0000000000000003\">0000000000000003</a>",
        "cannot reserve order o-2");
  }

  @Test
  void textFromSpansAndLogsIsEscaped() {
    TraceView trace = TraceView.of(List.of(span("checkout", SpanKind.INTERNAL, "a <b> & \"c\"",
        "0000000000000001", null, 0, 1, StatusData.unset(),
        Attributes.of(AttributeKey.stringKey("note"), "<script>alert('x')</script>"), List.of())))
        .get(0);
    String html = TraceHtml.render(trace, List.of(new TraceLogs.Line(0, "INFO", "checkout", "t",
        TestTraces.TRACE, "\"><img", "<i>")));
    assertThat(html).contains("a &lt;b&gt; &amp; &quot;c&quot;",
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", "&quot;&gt;&lt;img", "&lt;i&gt;")
        .doesNotContain("<script", "<b>", "<img", "<i>");
  }
}
