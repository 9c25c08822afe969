package dev.fanout.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ServiceEndpointsTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicReference<Check> alive = new AtomicReference<>(Check.ok());
    private final AtomicReference<Check> ready = new AtomicReference<>(Check.failing("not assigned yet"));

    @Test
    void readinessFollowsTheCheckAndNamesWhyItIsNotReady() throws Exception {
        try (ServiceEndpoints endpoints = ServiceEndpoints.start("127.0.0.1", 0, alive::get, ready::get)) {
            HttpResponse<String> before = get(endpoints, "/readyz");
            assertThat(before.statusCode()).isEqualTo(503);
            assertThat(before.body()).isEqualTo("{\"status\":\"NOT_READY\",\"reason\":\"not assigned yet\"}");
            assertThat(before.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));

            ready.set(Check.ok());
            HttpResponse<String> after = get(endpoints, "/readyz");
            assertThat(after.statusCode()).isEqualTo(200);
            assertThat(after.body()).isEqualTo("{\"status\":\"READY\"}");
        }
    }

    @Test
    void aServiceThatIsDownIsNeitherAliveNorReady() throws Exception {
        ready.set(Check.ok());
        alive.set(Check.failing("the poll loop stopped: \"boom\"\n"));
        try (ServiceEndpoints endpoints = ServiceEndpoints.start("127.0.0.1", 0, alive::get, ready::get)) {
            HttpResponse<String> health = get(endpoints, "/healthz");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body())
                    .isEqualTo("{\"status\":\"DOWN\",\"reason\":\"the poll loop stopped: \\\"boom\\\"\\n\"}");
            assertThat(get(endpoints, "/readyz").statusCode()).isEqualTo(503);

            alive.set(Check.ok());
            assertThat(get(endpoints, "/healthz").body()).isEqualTo("{\"status\":\"UP\"}");
            assertThat(get(endpoints, "/nothing-here").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aTakenPortIsRefusedWithTheAddressAndTheFix() {
        try (ServiceEndpoints first = ServiceEndpoints.start("127.0.0.1", 0, alive::get, ready::get)) {
            assertThatThrownBy(() -> ServiceEndpoints.start("127.0.0.1", first.port(), alive::get, ready::get))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("127.0.0.1:" + first.port())
                    .hasMessageContaining("--http-port");
        }
    }

    @Test
    void theDefaultHostIsLoopbackAndAnotherAddressOfTheMachineIsRefused() throws Exception {
        try (ServiceEndpoints endpoints = ServiceEndpoints.start(ServiceEndpoints.DEFAULT_HOST, 0, alive::get,
                ready::get)) {
            assertThat(InetAddress.getByName(endpoints.url().getHost()).isLoopbackAddress()).isTrue();
            Optional<InetAddress> other = NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses)
                    .filter(address -> !address.isLoopbackAddress() && address instanceof Inet4Address).findFirst();
            if (other.isPresent()) { // a machine with a network address: nothing answers the port there
                assertThatThrownBy(() -> new Socket(other.get(), endpoints.port()).close())
                        .isInstanceOf(ConnectException.class);
            }
        }
    }

    @Test
    void aCheckThatThrowsAnswers503WithAReferenceAndNotTheExceptionText() throws Exception {
        try (ServiceEndpoints endpoints = ServiceEndpoints.start("127.0.0.1", 0, () -> {
            throw new IllegalStateException("token=s3cr3t at /etc/fanout");
        }, ready::get)) {
            for (String path : new String[] {"/healthz", "/readyz"}) {
                HttpResponse<String> answer = get(endpoints, path);
                assertThat(answer.statusCode()).isEqualTo(503);
                assertThat(answer.body()).matches("\\{\"status\":\"(DOWN|NOT_READY)\",\"reason\":\"the health check failed"
                        + " \\(reference e-[0-9a-f]{8}; the service's log has the detail\\)\"}");
            }
        }
    }

    @Test
    void nothingItServesChangesStateWhateverTheMethod() throws Exception {
        try (ServiceEndpoints endpoints = ServiceEndpoints.start("127.0.0.1", 0, alive::get, ready::get)) {
            for (String method : new String[] {"POST", "PUT", "DELETE"}) {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(endpoints.url().resolve("/healthz"))
                        .method(method, HttpRequest.BodyPublishers.ofString("{}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).isEqualTo(405);
            }
        }
    }

    private HttpResponse<String> get(ServiceEndpoints endpoints, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(endpoints.url().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
