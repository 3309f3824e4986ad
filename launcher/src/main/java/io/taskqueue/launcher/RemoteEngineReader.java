package io.taskqueue.launcher;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import io.taskqueue.api.v1.GetQueueStatsResponse;
import io.taskqueue.api.v1.GetTaskResponse;
import io.taskqueue.api.v1.ListQueuesResponse;
import io.taskqueue.api.v1.ListTasksRequest;
import io.taskqueue.api.v1.ListTasksResponse;
import io.taskqueue.api.v1.ListWorkersResponse;
import io.taskqueue.api.v1.TaskEvent;
import io.taskqueue.gateway.ReadUnavailableException;
import io.taskqueue.gateway.TaskReader;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The gateway's reads answered by a topology instance's interactive-query endpoints ({@code
 * TASKQUEUE_IQ_URL}); that instance routes each read to the owner of the data. Task history comes
 * from the event log read in this process.
 */
final class RemoteEngineReader implements TaskReader {

  private final String baseUrl;
  private final RecentEvents events;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  RemoteEngineReader(String baseUrl, RecentEvents events) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.events = events;
  }

  @Override
  public Optional<GetTaskResponse> getTask(String taskId) {
    return get("/iq/tasks/" + taskId, GetTaskResponse.parser(), true);
  }

  @Override
  public ListTasksResponse listTasks(ListTasksRequest q) {
    StringBuilder path = new StringBuilder("/iq/tasks?limit=").append(q.getLimit());
    path.append("&offset=").append(q.getOffset());
    if (!q.getQueue().isEmpty()) {
      path.append("&queue=").append(URLEncoder.encode(q.getQueue(), StandardCharsets.UTF_8));
    }
    if (!q.getStatus().isEmpty()) {
      path.append("&status=").append(q.getStatus());
    }
    if (q.hasPriority()) {
      path.append("&priority=").append(q.getPriority());
    }
    if (q.getCreatedAfter() > 0) {
      path.append("&created_after=").append(q.getCreatedAfter());
    }
    if (q.getCreatedBefore() > 0) {
      path.append("&created_before=").append(q.getCreatedBefore());
    }
    if (!q.getCursor().isEmpty()) {
      path.append("&cursor=").append(URLEncoder.encode(q.getCursor(), StandardCharsets.UTF_8));
    }
    return get(path.toString(), ListTasksResponse.parser(), false).orElseThrow();
  }

  @Override
  public GetQueueStatsResponse queueStats(Optional<String> queue) {
    String path =
        queue
            .map(q -> "/iq/stats?queue=" + URLEncoder.encode(q, StandardCharsets.UTF_8))
            .orElse("/iq/stats");
    return get(path, GetQueueStatsResponse.parser(), false).orElseThrow();
  }

  @Override
  public List<TaskEvent> taskEvents(String taskId) {
    return events.events(taskId);
  }

  @Override
  public ListQueuesResponse listQueues() {
    return get("/iq/queues", ListQueuesResponse.parser(), false).orElseThrow();
  }

  @Override
  public ListWorkersResponse listWorkers() {
    return get("/iq/workers", ListWorkersResponse.parser(), false).orElseThrow();
  }

  private <T> Optional<T> get(String path, Parser<T> parser, boolean notFoundIsEmpty) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(Duration.ofSeconds(5))
            .header("Accept", InteractiveQueries.PROTOBUF)
            .build();
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new ReadUnavailableException("The topology at " + baseUrl + " is unreachable", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReadUnavailableException("Interrupted while reading from the topology", e);
    }
    if (response.statusCode() == 404 && notFoundIsEmpty) {
      return Optional.empty();
    }
    if (response.statusCode() != 200) {
      throw new ReadUnavailableException(
          "The topology answered " + response.statusCode() + " for " + path);
    }
    try {
      return Optional.of(parser.parseFrom(response.body()));
    } catch (InvalidProtocolBufferException e) {
      throw new ReadUnavailableException("Undecodable answer from the topology for " + path, e);
    }
  }
}
