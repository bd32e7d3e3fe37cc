package dev.baton.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.kafka.KafkaTracing;
import dev.baton.testing.EmbeddedKafkaBroker;
import org.junit.jupiter.api.Test;

/**
 * One small round of {@link EndToEndThroughput} on a real broker, so that the end-to-end harness
 * keeps working: every variant produces its topic and reads all of it on every pass, and Baton's
 * variant really traces both sides. No timing is asserted.
 */
class EndToEndThroughputSmokeTest {

  @Test
  void everyVariantReadsEveryRecordOnEveryPass() throws Exception {
    int records = 50;
    int passes = 2;
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        Telemetry telemetry = Telemetry.create(Telemetry.Mode.SDK)) {
      KafkaTracing tracing = KafkaTracing.create(telemetry.openTelemetry());

      EndToEndThroughput.Result[] results =
          EndToEndThroughput.round(broker, tracing, records, passes, 1, "smoke");

      assertEquals(EndToEndThroughput.Variant.values().length, results.length);
      for (EndToEndThroughput.Result result : results) {
        // each topic holds the records plus the one send that created it
        assertEquals(passes * (records + 1L), result.consumedRecords);
        assertTrue(result.produced > 0, "produce rate " + result.produced);
        assertTrue(result.consumingNanos > 0, "consuming time " + result.consumingNanos);
      }
      // Baton only: a send span per record sent, a process span per record read on each pass
      assertEquals((records + 1L) + passes * (records + 1L), telemetry.endedSpans());
    }
  }
}
