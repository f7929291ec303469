package io.kinhub.redis.script;

import io.kinhub.redis.RedisUnavailableException;
import io.kinhub.redis.connection.RedisConnections;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Runs Lua scripts by SHA ({@code EVALSHA}); when Redis does not know the script ({@code NOSCRIPT},
 * after a restart or failover) it is sent once in full with {@code EVAL}, which also caches it on
 * the server.
 */
public final class Scripts {
  private static final String[] NO_ARGS = new String[0];

  private final RedisConnections redis;

  public Scripts(RedisConnections redis) {
    this.redis = redis;
  }

  /** Runs a script synchronously; driver failures become {@link RedisUnavailableException}. */
  // the reply's type follows the ScriptOutputType the caller passes, as in Lettuce's own eval
  @SuppressWarnings("TypeParameterUnusedInFormals")
  public <T> T run(LuaScript script, ScriptOutputType type, List<String> keys, String... args) {
    String[] keyArray = keys.toArray(NO_ARGS);
    try {
      try {
        return redis.sync().evalsha(script.sha(), type, keyArray, args);
      } catch (RedisNoScriptException e) {
        return redis.sync().eval(script.source(), type, keyArray, args);
      }
    } catch (RedisException e) {
      throw new RedisUnavailableException(
          "script " + script.name() + " failed: " + e.getMessage(), e);
    }
  }

  /** Runs a script without blocking the caller; the stage fails with the driver's exception. */
  public <T> CompletionStage<T> runAsync(
      LuaScript script, ScriptOutputType type, List<String> keys, String... args) {
    String[] keyArray = keys.toArray(NO_ARGS);
    CompletableFuture<T> result = new CompletableFuture<>();
    redis
        .async()
        .<T>evalsha(script.sha(), type, keyArray, args)
        .whenComplete(
            (value, error) -> {
              if (error == null) {
                result.complete(value);
              } else if (unwrap(error) instanceof RedisNoScriptException) {
                redis
                    .async()
                    .<T>eval(script.source(), type, keyArray, args)
                    .whenComplete(
                        (v, e) -> {
                          if (e == null) {
                            result.complete(v);
                          } else {
                            result.completeExceptionally(e);
                          }
                        });
              } else {
                result.completeExceptionally(error);
              }
            });
    return result;
  }

  private static Throwable unwrap(Throwable error) {
    return error.getCause() != null && error instanceof CompletionException
        ? error.getCause()
        : error;
  }
}
