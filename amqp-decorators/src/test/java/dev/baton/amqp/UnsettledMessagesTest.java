package dev.baton.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.ShutdownSignalException;
import org.junit.jupiter.api.Test;

/** The per-channel table of delivered, unsettled messages behind settle spans. */
class UnsettledMessagesTest {

  private final UnsettledMessages table = new UnsettledMessages();

  @Test
  void singleAndBatchSettlesTakeExactlyTheirMessages() {
    for (long tag = 1; tag <= 10; tag++) {
      table.add(tag, message(tag % 2 == 0 ? "even" : "odd"));
    }
    assertThat(table.settle(4).destination()).isEqualTo("even");
    assertThat(table.settle(4)).as("settled twice").isNull();
    assertThat(table.settle(11)).isNull();

    UnsettledMessages.Batch upTo2 = table.settleUpTo(2);
    assertThat(upTo2.count()).isEqualTo(2); // 1, 2
    assertThat(upTo2.destination()).as("odd and even mixed").isNull();
    assertThat(table.settleUpTo(7).count()).isEqualTo(4); // 3, 5, 6, 7: 4 went alone
    assertThat(table.size()).isEqualTo(3);
    assertThat(table.settleUpTo(0).count()).as("0 settles everything").isEqualTo(3);
    assertThat(table.size()).isZero();
    assertThat(table.settleUpTo(100).count()).isZero();
  }

  @Test
  void aBatchOfOneQueueKeepsItsDestination() {
    table.add(5, message("q"));
    table.add(6, message("q"));
    UnsettledMessages.Batch batch = table.settleUpTo(6);
    assertThat(batch.count()).isEqualTo(2);
    assertThat(batch.destination()).isEqualTo("q");
    assertThat(batch.spanDestination()).isEqualTo("q");
  }

  @Test
  void deliveriesArrivingSlightlyOutOfOrderAreKept() {
    table.add(3, message("q"));
    table.add(1, message("q")); // a get answered on another thread after a consumer delivery
    table.add(2, message("q"));
    assertThat(table.settleUpTo(3).count()).isEqualTo(3);
  }

  @Test
  void theWindowIsBoundedAndForgetsTheOldestMessage() {
    int deliveries = UnsettledMessages.MAX_WINDOW + 1_000;
    for (long tag = 1; tag <= deliveries; tag++) {
      table.add(tag, message("q"));
    }
    assertThat(table.size()).isEqualTo(UnsettledMessages.MAX_WINDOW);
    assertThat(table.settle(1)).as("forgotten").isNull();
    assertThat(table.settle(deliveries)).isNotNull();
    assertThat(table.settleUpTo(deliveries).count()).isEqualTo(UnsettledMessages.MAX_WINDOW - 1);
  }

  @Test
  void aShutdownEmptiesTheTable() {
    table.add(1, message("q"));
    table.add(2, message("q"));
    table.shutdownCompleted(new ShutdownSignalException(false, false, null, null));
    assertThat(table.size()).isZero();
    assertThat(table.settle(1)).isNull();
    table.add(1, message("q")); // tags start over on a new channel
    assertThat(table.settle(1)).isNotNull();
  }

  private static ReceivedMessage message(String queue) {
    return new ReceivedMessage(queue, queue, null, null);
  }
}
