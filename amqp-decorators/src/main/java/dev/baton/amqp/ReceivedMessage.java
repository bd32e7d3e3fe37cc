package dev.baton.amqp;

/**
 * What a settle span needs to know about a message delivered on a traced channel and not yet
 * settled: the destination its process or get span named, and its identifiers.
 *
 * @param spanDestination the destination in span names; {@code null} when temporary or anonymous
 * @param destination the {@code messaging.destination.name} value
 * @param messageId the {@code message-id} property, or {@code null}
 * @param conversationId the {@code correlation-id} property, or {@code null}
 */
record ReceivedMessage(
    String spanDestination, String destination, String messageId, String conversationId) {}
