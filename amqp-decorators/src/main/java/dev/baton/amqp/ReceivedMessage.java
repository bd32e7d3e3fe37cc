package dev.baton.amqp;

/**
 * What a settle span needs to know about a message delivered on a traced channel and not yet
 * settled: the destination its process or get span named, and its identifiers. Immutable.
 */
final class ReceivedMessage {

  /** The destination in span names; {@code null} when temporary or anonymous. */
  final String spanDestination;
  /** The {@code messaging.destination.name} value. */
  final String destination;
  final String messageId;
  final String conversationId;

  ReceivedMessage(
      String spanDestination, String destination, String messageId, String conversationId) {
    this.spanDestination = spanDestination;
    this.destination = destination;
    this.messageId = messageId;
    this.conversationId = conversationId;
  }
}
