package dev.baton.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Authority parsing for {@code server.address} / {@code server.port}. */
class ServerAddressTest {

  @ParameterizedTest
  @CsvSource(
      nullValues = "null",
      value = {
        "grpc.io:50051, grpc.io, 50051",
        "127.0.0.1:8080, 127.0.0.1, 8080",
        "[::1]:443, ::1, 443",
        "[2001:db8::1], 2001:db8::1, -1",
        "localhost, localhost, -1",
        "user@inventory:9000, inventory, 9000",
        "host:notaport, host:notaport, -1",
        "host:70000, host:70000, -1",
        "a:b:c, a:b:c, -1",
        "in-process-name, in-process-name, -1",
      })
  void parses(String authority, String address, long port) {
    ServerAddress a = ServerAddress.parse(authority);
    assertThat(a.address).isEqualTo(address);
    assertThat(a.port).isEqualTo(port);
  }

  @org.junit.jupiter.api.Test
  void emptyOrNullHasNoAddress() {
    assertThat(ServerAddress.parse("").address).isNull();
    assertThat(ServerAddress.parse(null)).isSameAs(ServerAddress.NONE);
    ServerAddress.Cache cache = new ServerAddress.Cache();
    assertThat(cache.get("a:1")).isSameAs(cache.get("a:1"));
    assertThat(cache.get(null)).isSameAs(ServerAddress.NONE);
  }
}
