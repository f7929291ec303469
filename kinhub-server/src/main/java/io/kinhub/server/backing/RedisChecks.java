package io.kinhub.server.backing;

import io.kinhub.redis.connection.RedisConnections;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up checks of the Redis a node is given: a URI that selects a database is refused (Kinhub
 * keeps deployments apart by key prefix, so a node with {@code /3} and one without would each see
 * half the data), and server settings that lose sessions or leave dead connections open are warned
 * about.
 */
public final class RedisChecks {
  private static final Logger log = LoggerFactory.getLogger(RedisChecks.class);

  private RedisChecks() {}

  /** Why {@code uri} is refused (it selects a database other than 0), or empty when it is fine. */
  public static Optional<String> refuseDatabaseNumber(String uri) {
    int database;
    try {
      // Lettuce's own reading of the URI: the path ("/3"), "?database=3" and "?db=3", for every
      // scheme
      database = RedisURI.create(uri).getDatabase();
    } catch (RuntimeException e) {
      return Optional.empty(); // not a URI Lettuce can read: connecting reports it
    }
    if (database == 0) {
      return Optional.empty();
    }
    return Optional.of(
        "selects Redis database "
            + database
            + " ("
            + uri.replaceAll("//[^@/]*@", "//***@")
            + "): Kinhub never uses SELECT; it namespaces every key and channel with KINHUB_REDIS_PREFIX instead, and a "
            + "node on another database would silently see other data than its peers. Remove the database number (or "
            + "write /0) and give each deployment sharing this Redis its own KINHUB_REDIS_PREFIX.");
  }

  /**
   * Reads the settings that matter to Kinhub with {@code CONFIG GET} and returns a warning for each
   * risky one (each is also logged at WARN). A Redis that refuses {@code CONFIG} (renamed, or not
   * allowed by ACL, as on many managed services) gets one warning saying the settings could not be
   * checked.
   */
  public static List<String> settingsWarnings(RedisConnections redis) {
    List<String> warnings = new ArrayList<>();
    String endpoint = redis.identity().endpoint();
    Map<String, String> settings = new HashMap<>();
    try {
      // one parameter per call: Redis before 7 takes only one
      for (String name :
          List.of("tcp-keepalive", "maxmemory-policy", "maxmemory", "save", "appendonly")) {
        settings.putAll(redis.sync().configGet(name));
      }
    } catch (RedisException e) {
      warnings.add(
          "could not check the settings of Redis at "
              + endpoint
              + " (CONFIG GET failed: "
              + e.getMessage()
              + "; renamed or not allowed?). Make sure tcp-keepalive is not 0, maxmemory-policy is noeviction and "
              + "persistence (appendonly or save) is on.");
    }
    if ("0".equals(settings.get("tcp-keepalive"))) {
      warnings.add(
          "Redis at "
              + endpoint
              + " has tcp-keepalive 0: it never notices clients that vanished (a node killed "
              + "or cut off), whose connections and subscriptions it then keeps; set tcp-keepalive 60");
    }
    String policy =
        settings.getOrDefault("maxmemory-policy", "noeviction").toLowerCase(Locale.ROOT);
    if (!policy.equals("noeviction")) {
      warnings.add(
          "Redis at "
              + endpoint
              + " has maxmemory-policy "
              + policy
              + " (maxmemory "
              + settings.getOrDefault("maxmemory", "?")
              + "): when memory runs out it evicts keys, and "
              + (policy.startsWith("volatile")
                  ? "volatile policies evict exactly "
                      + "the keys with a TTL, which is every session, login code and QR ticket"
                  : "that may be any session, lock or job")
              + "; users are logged out at random. Set maxmemory-policy noeviction (writes then fail loudly instead)");
    }
    if (settings.containsKey("save")
        && settings.get("save").isBlank()
        && "no".equalsIgnoreCase(settings.get("appendonly"))) {
      warnings.add(
          "Redis at "
              + endpoint
              + " has no persistence (save \"\" and appendonly no): a restart of Redis logs "
              + "every user out and loses queued jobs; turn on appendonly yes");
    }
    warnings.forEach(w -> log.warn("{}", w));
    return warnings;
  }
}
