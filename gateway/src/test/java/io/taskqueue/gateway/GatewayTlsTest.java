package io.taskqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taskqueue.api.v1.SubmitTaskRequest;
import io.taskqueue.api.v1.TaskQueueServiceGrpc;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assembled gateway with TLS and auth on, on real sockets: a self-signed certificate made at
 * test time with the JDK's keytool, clients that trust only it, both protocols.
 */
class GatewayTlsTest {

  @TempDir static Path dir;
  private static Path certFile;
  private static Path keyFile;
  private static KeyStore trust;

  private final FakeTaskReader reader = new FakeTaskReader();
  private final RecordingCommandPublisher publisher = new RecordingCommandPublisher();
  private final ApiKeys.Minted producer = ApiKeys.mint("producer", Set.of(ApiScope.SUBMIT));

  @BeforeAll
  static void selfSignedCertificate() throws Exception {
    Path store = dir.resolve("server.p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(output).isZero();

    KeyStore p12 = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(store)) {
      p12.load(in, "changeit".toCharArray());
    }
    Certificate cert = p12.getCertificate("server");
    certFile = dir.resolve("server.crt");
    keyFile = dir.resolve("server.key");
    Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()));
    Files.writeString(
        keyFile, pem("PRIVATE KEY", p12.getKey("server", "changeit".toCharArray()).getEncoded()));
    trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("server", cert);
  }

  private Gateway gateway() {
    return Gateway.builder(
            GatewaySettings.fromEnvironment(
                Map.of(
                    "HTTP_HOST",
                    "127.0.0.1",
                    "HTTP_PORT",
                    "0",
                    "GRPC_HOST",
                    "127.0.0.1",
                    "GRPC_PORT",
                    "0")))
        .taskReader(reader)
        .commandPublisher(publisher)
        .meterRegistry(new SimpleMeterRegistry())
        .auth(AuthSettings.on(ApiKeys.of(List.of(producer.key()))))
        .tls(new TlsSettings(certFile, keyFile))
        .check("topology", DependencyCheck.Result::ok)
        .build();
  }

  @Test
  void httpsServesTheApiWithAuthAndMarksTheSessionCookieSecure() throws Exception {
    try (Gateway gateway = gateway().start()) {
      HttpClient client = HttpClient.newBuilder().sslContext(trusting()).build();
      String base = "https://127.0.0.1:" + gateway.httpPort();

      HttpResponse<String> submitted =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/api/submit"))
                  .header("Authorization", "Bearer " + producer.secret())
                  .POST(HttpRequest.BodyPublishers.ofString("{\"queue\":\"emails\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> anonymous =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/api/submit"))
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> login =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/api/session"))
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"api_key\":\"" + producer.secret() + "\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(submitted.statusCode()).isEqualTo(200);
      assertThat(submitted.body()).contains("\"status\":\"QUEUED\"");
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(publisher.published()).hasSize(1);
      assertThat(login.headers().firstValue("Set-Cookie").orElseThrow()).endsWith("; Secure");
      assertThat(
              client
                  .send(
                      HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(200);
      // Plain HTTP on the same port gets no API answer.
      assertThatThrownBy(
              () ->
                  HttpClient.newHttpClient()
                      .send(
                          HttpRequest.newBuilder(
                                  URI.create("http://127.0.0.1:" + gateway.httpPort() + "/healthz"))
                              .build(),
                          HttpResponse.BodyHandlers.ofString())
                      .statusCode())
          .satisfiesAnyOf(
              e -> assertThat(e).isInstanceOf(IOException.class),
              e -> assertThat(e).hasMessageContaining("400"));
    }
  }

  @Test
  void grpcOverTlsTakesTheKeyFromMetadataAndRefusesPlaintext() throws Exception {
    try (Gateway gateway = gateway().start()) {
      ManagedChannel tls =
          Grpc.newChannelBuilderForAddress(
                  "127.0.0.1",
                  gateway.grpcPort(),
                  TlsChannelCredentials.newBuilder().trustManager(certFile.toFile()).build())
              .overrideAuthority("localhost")
              .build();
      ManagedChannel plain =
          Grpc.newChannelBuilderForAddress(
                  "127.0.0.1", gateway.grpcPort(), InsecureChannelCredentials.create())
              .build();
      try {
        Metadata key = new Metadata();
        key.put(
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
            "Bearer " + producer.secret());
        var stub =
            TaskQueueServiceGrpc.newBlockingStub(tls).withDeadlineAfter(10, TimeUnit.SECONDS);

        assertThat(
                stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(key))
                    .submitTask(SubmitTaskRequest.getDefaultInstance())
                    .getStatus())
            .isEqualTo("QUEUED");
        assertThat(
                catchThrowableOfType(
                        StatusRuntimeException.class,
                        () -> stub.submitTask(SubmitTaskRequest.getDefaultInstance()))
                    .getStatus()
                    .getCode())
            .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(
                catchThrowableOfType(
                        StatusRuntimeException.class,
                        () ->
                            TaskQueueServiceGrpc.newBlockingStub(plain)
                                .withDeadlineAfter(10, TimeUnit.SECONDS)
                                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(key))
                                .submitTask(SubmitTaskRequest.getDefaultInstance()))
                    .getStatus()
                    .getCode())
            .isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(publisher.published()).hasSize(1);
      } finally {
        tls.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        plain.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aKeyFileThatIsNotPkcs8IsRefusedWithTheConversionCommand() throws Exception {
    Path rsaStyle = dir.resolve("old.key");
    Files.writeString(
        rsaStyle, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");

    assertThatThrownBy(
            () ->
                Gateway.builder(GatewaySettings.defaults())
                    .taskReader(reader)
                    .commandPublisher(publisher)
                    .tls(new TlsSettings(certFile, rsaStyle))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("to hold an unencrypted PKCS#8 key (BEGIN PRIVATE KEY)")
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
  }

  @Test
  void tlsNeedsBothFiles() {
    assertThat(TlsSettings.fromEnvironment(Map.of())).isEmpty();
    assertThatThrownBy(() -> TlsSettings.fromEnvironment(Map.of("TLS_CERT_FILE", "/x.crt")))
        .hasMessage(
            "Expected TLS_CERT_FILE and TLS_KEY_FILE together, but only TLS_CERT_FILE is set");
  }

  private static SSLContext trusting() throws Exception {
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
