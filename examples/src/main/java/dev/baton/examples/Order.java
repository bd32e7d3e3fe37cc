package dev.baton.examples;

import java.util.Objects;

/**
 * An order of the checkout demo: an id, a stock-keeping unit and a quantity. It travels as one
 * line of text ({@code id=o-1 sku=book quantity=2}) in gRPC requests and Kafka record values.
 *
 * @param id the order id, unique per order
 * @param sku what is ordered; {@value InventoryService#OUT_OF_STOCK} is never in stock
 * @param quantity how many, at least 1
 * @since 0.1.0
 */
public record Order(String id, String sku, int quantity) {

  /** Validates the fields. */
  public Order {
    requireWord(id, "id");
    requireWord(sku, "sku");
    if (quantity < 1) {
      throw new IllegalArgumentException("quantity < 1: " + quantity);
    }
  }

  /** The wire form, e.g. {@code id=o-1 sku=book quantity=2}. */
  String toText() {
    return "id=" + id + " sku=" + sku + " quantity=" + quantity;
  }

  /** Parses {@link #toText()}; throws {@link IllegalArgumentException} on anything else. */
  static Order parse(String text) {
    String id = null;
    String sku = null;
    String quantity = null;
    for (String field : text.trim().split(" +")) {
      int eq = field.indexOf('=');
      String key = eq < 0 ? field : field.substring(0, eq);
      String value = eq < 0 ? "" : field.substring(eq + 1);
      switch (key) {
        case "id" -> id = value;
        case "sku" -> sku = value;
        case "quantity" -> quantity = value;
        default -> throw new IllegalArgumentException("not an order: " + text);
      }
    }
    try {
      return new Order(id, sku, Integer.parseInt(Objects.requireNonNull(quantity, "quantity")));
    } catch (NullPointerException | NumberFormatException e) {
      throw new IllegalArgumentException("not an order: " + text, e);
    }
  }

  @Override
  public String toString() {
    return id + " (" + quantity + " x " + sku + ")";
  }

  private static void requireWord(String value, String name) {
    if (value == null || value.isEmpty() || value.chars().anyMatch(c -> c <= ' ' || c == '=')) {
      throw new IllegalArgumentException(name + " must be a non-empty word: " + value);
    }
  }
}
