package dev.baton.spring;

import dev.baton.kafka.KafkaTracing;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.listener.RecordInterceptor;

/**
 * Runs a record listener ({@code @KafkaListener} on one record) inside the record's CONSUMER
 * {@code process {topic}} span, through {@link KafkaTracing#startProcessing}: child of the
 * producer's span (per the inbound policy), current while the listener runs, ending with the
 * listener's exception recorded.
 *
 * <p>The container calls {@code intercept} before the listener and {@code success} or
 * {@code failure} after it, on the consumer thread; the open scope is kept in a thread-local in
 * between, and {@code afterRecord} (or the next {@code intercept}) closes one that was left open.
 */
final class TracingRecordInterceptor implements RecordInterceptor<Object, Object> {

  private final KafkaTracing tracing;
  private final OpenScope open = new OpenScope();

  TracingRecordInterceptor(KafkaTracing tracing) {
    this.tracing = tracing;
  }

  @Override
  public ConsumerRecord<Object, Object> intercept(
      ConsumerRecord<Object, Object> record, Consumer<Object, Object> consumer) {
    open.close();
    if (record != null) {
      open.keep(tracing.startProcessing(record));
    }
    return record;
  }

  @Override
  public void success(ConsumerRecord<Object, Object> record, Consumer<Object, Object> consumer) {
    open.close();
  }

  @Override
  public void failure(
      ConsumerRecord<Object, Object> record, Exception exception, Consumer<Object, Object> consumer) {
    open.fail(exception);
  }

  @Override
  public void afterRecord(ConsumerRecord<Object, Object> record, Consumer<Object, Object> consumer) {
    open.close();
  }

  @Override
  public void clearThreadState(Consumer<?, ?> consumer) {
    open.close();
  }
}
