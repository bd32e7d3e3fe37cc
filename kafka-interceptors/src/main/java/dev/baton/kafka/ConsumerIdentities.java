package dev.baton.kafka;

import java.util.Arrays;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;

/**
 * Which open consumer of this JVM polled a record, so that {@code KafkaTracing.process}, called
 * later and on any thread, can name that consumer's group and client id.
 *
 * <p>Each consumer interceptor keeps a fixed-size table of fingerprints of the records it polled
 * most recently: the record object's identity hash with its offset and partition, one
 * {@code long} each, no reference to the record. Two consumers reading the same topic (two
 * groups on one cluster, or two clusters) receive records with equal topic, partition and offset
 * but never the same objects, so each record is found in its own consumer's table only. A record
 * found in none (a consumer without the interceptor, a copy of the record, a record polled long
 * ago or by a consumer since closed), or in more than one, is named after no consumer: left out,
 * not guessed. (Identity hashes have 31 bits: a record is taken for another consumer's twin, with
 * the same offset and partition, about once in two billion records.)
 *
 * <p>Why not remember each record's extracted context, or a weak reference to the record? That
 * was the first design: a weak map keyed by record. Measured with JMH, every entry outlived a
 * young collection until its record died, so a busy consumer promoted them all and spent a third
 * of its time in GC (see {@code docs/benchmarks.md}). A fingerprint is a {@code long} written
 * into an array that is allocated once per consumer.
 */
final class ConsumerIdentities {

  /**
   * Records a consumer remembers at least (and at most twice as many): a record processed after
   * its consumer polled this many more is no longer named. Tables of two generations, each of
   * {@code 2 * REMEMBERED} slots (load at most one half): 128 KiB per consumer, allocated at
   * its first poll.
   */
  static final int REMEMBERED = 4096;

  private static final int SLOTS = 2 * REMEMBERED;
  private static final int MASK = SLOTS - 1;
  private static final Consumer[] NONE = {};

  private static final Object LOCK = new Object();
  /** Copy-on-write, so that lookups walk it without a lock or an iterator. */
  private static volatile Consumer[] open = NONE;

  private ConsumerIdentities() {}

  /** Registers a configured consumer interceptor; its records are named from now on. */
  static Consumer opened(String groupId, String clientId) {
    Consumer consumer = new Consumer(groupId, clientId);
    synchronized (LOCK) {
      Consumer[] now = Arrays.copyOf(open, open.length + 1);
      now[now.length - 1] = consumer;
      open = now;
    }
    return consumer;
  }

  /** Forgets a consumer when it closes: its records are no longer named. */
  static void closed(Consumer consumer) {
    synchronized (LOCK) {
      Consumer[] now = open;
      for (int i = 0; i < now.length; i++) {
        if (now[i] == consumer) {
          Consumer[] fewer = new Consumer[now.length - 1];
          System.arraycopy(now, 0, fewer, 0, i);
          System.arraycopy(now, i + 1, fewer, i, now.length - i - 1);
          open = fewer.length == 0 ? NONE : fewer;
          return;
        }
      }
    }
  }

  static int openCount() {
    return open.length;
  }

  /** The open consumer that polled this very record object, or {@code null} if not exactly one. */
  static Consumer of(ConsumerRecord<?, ?> record) {
    Consumer[] all = open;
    if (all.length == 0) {
      return null;
    }
    long key = fingerprint(record);
    Consumer found = null;
    for (Consumer c : all) {
      if (c.polled(key)) {
        if (found != null) {
          return null;
        }
        found = c;
      }
    }
    return found;
  }

  /** Identity hash (high half), offset and partition (low half); never 0, the empty slot. */
  static long fingerprint(ConsumerRecord<?, ?> record) {
    long low = (record.offset() * 0x9E3779B1L + record.partition()) & 0xFFFF_FFFFL;
    long key = (long) System.identityHashCode(record) << 32 | low;
    return key == 0 ? 1 : key;
  }

  private static int slot(long key) {
    return (int) ((key * 0x9E3779B97F4A7C15L) >>> 40) & MASK;
  }

  /**
   * One consumer: its group and client id (either may be {@code null}) and the fingerprints of
   * its recent records. Written only by the consumer's polling thread; read by any thread. A
   * reader racing the writer can miss a record, never find one that was not polled here.
   */
  static final class Consumer {
    final String groupId;
    final String clientId;
    private volatile long[] current;
    private volatile long[] previous;
    private int count;

    Consumer(String groupId, String clientId) {
      this.groupId = groupId;
      this.clientId = clientId;
    }

    /** Notes every record of a batch; on the polling thread. */
    void polled(ConsumerRecords<?, ?> records) {
      long[] table = current;
      if (table == null) {
        table = new long[SLOTS];
        current = table;
      }
      for (ConsumerRecord<?, ?> record : records) {
        if (count == REMEMBERED) {
          table = nextGeneration(table);
        }
        if (insert(table, fingerprint(record))) {
          count++;
        }
      }
    }

    /** The current table becomes the previous one; the old previous one is cleared and reused. */
    private long[] nextGeneration(long[] full) {
      long[] reuse = previous;
      previous = full;
      if (reuse == null) {
        reuse = new long[SLOTS];
      } else {
        Arrays.fill(reuse, 0L);
      }
      current = reuse;
      count = 0;
      return reuse;
    }

    private static boolean insert(long[] table, long key) {
      int i = slot(key);
      while (true) {
        long k = table[i];
        if (k == 0) {
          table[i] = key;
          return true;
        }
        if (k == key) {
          return false;
        }
        i = (i + 1) & MASK;
      }
    }

    boolean polled(long key) {
      return contains(current, key) || contains(previous, key);
    }

    private static boolean contains(long[] table, long key) {
      if (table == null) {
        return false;
      }
      int i = slot(key);
      for (int probes = 0; probes < SLOTS; probes++) {
        long k = table[i];
        if (k == key) {
          return true;
        }
        if (k == 0) {
          return false;
        }
        i = (i + 1) & MASK;
      }
      return false;
    }
  }
}
