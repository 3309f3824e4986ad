package io.taskqueue.projections;

import com.google.protobuf.InvalidProtocolBufferException;
import io.taskqueue.api.v1.GetTaskResponse;
import io.taskqueue.projections.internal.RedisKeys;
import io.taskqueue.projections.internal.StoreClients;
import io.taskqueue.proto.ApiMapping;
import io.taskqueue.proto.internal.TaskSnapshot;
import java.util.Base64;
import java.util.Optional;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisException;
import org.redisson.client.codec.StringCodec;

/**
 * Reads of the Redis read model: the hot snapshot of a recently changed task (one round trip). A
 * missing key means "not in Redis" (expired, or not projected yet), not "unknown task".
 */
public final class RedisReadModel implements AutoCloseable {

  private final RedissonClient client;
  private final RedisKeys keys;

  public RedisReadModel(RedisSinkSettings settings) {
    // Reads fall back to PostgreSQL when Redis is slow or down: give up quickly.
    this.client = StoreClients.redis(settings, 8, 500, 0);
    this.keys = new RedisKeys(settings.keyPrefix());
  }

  public Optional<GetTaskResponse> task(String taskId) {
    String encoded;
    try {
      encoded =
          client.<String, String>getMap(keys.task(taskId), StringCodec.INSTANCE).get("snapshot");
    } catch (RedisException e) {
      throw new ReadModelUnavailableException(
          "Expected Redis to answer a read, but it failed: " + e.getMessage(), e);
    }
    if (encoded == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          ApiMapping.task(TaskSnapshot.parseFrom(Base64.getDecoder().decode(encoded))));
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    client.shutdown();
  }
}
