package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A saga written only in the workflow: the catch compensates exactly the bookings that completed,
 * in reverse order, using {@code completed} and the bookings' results.
 */
class SagaTest extends EngineTestBase {

  private static final String SAGA =
      """
      input: { tag: string, flightFails: integer, carFails: integer }
      steps:
        trip:
          try:
            steps:
              book_flight:
                call: python:engine_funcs:flaky
                args: ["${{ input.tag }}-flight", "${{ input.flightFails }}"]
              book_hotel:
                needs: book_flight
                call: python:engine_funcs:logged
                args: ["${{ input.tag }}", book_hotel, 0, H1]
              book_car:
                needs: book_hotel
                call: python:engine_funcs:flaky
                args: ["${{ input.tag }}-car", "${{ input.carFails }}"]
          catch:
            steps:
              cancel_car:
                if: "${{ contains(completed, 'book_car') }}"
                call: python:engine_funcs:logged
                args: ["${{ input.tag }}", cancel_car]
              cancel_hotel:
                needs: cancel_car
                if: "${{ contains(completed, 'book_hotel') }}"
                call: python:engine_funcs:logged
                args: ["${{ input.tag }}", "cancel_hotel ${{ steps.book_hotel.value }}"]
              cancel_flight:
                needs: cancel_hotel
                if: "${{ contains(completed, 'book_flight') }}"
                call: python:engine_funcs:logged
                args: ["${{ input.tag }}", cancel_flight]
            output: { compensated: "${{ completed }}", failed: "${{ error.message }}" }
      """;

  @Test
  void aFailedCarCompensatesTheHotelThenTheFlightAndNothingElse() throws Exception {
    JsonNode r = run(SAGA, input("flightFails", 0, "carFails", 1));

    assertJson(
        r, "{'trip': {'compensated': ['book_flight', 'book_hotel'], 'failed': 'failure 1'}}");
    assertThat(log()).containsExactly("book_hotel", "cancel_hotel H1", "cancel_flight");
    assertThat(finished("cancel_car")).isEqualTo(RunEvent.Status.SKIPPED);
  }

  @Test
  void aFailedFlightCompensatesNothing() throws Exception {
    JsonNode r = run(SAGA, input("flightFails", 1, "carFails", 0));

    assertJson(r, "{'trip': {'compensated': [], 'failed': 'failure 1'}}");
    assertThat(log()).isEmpty();
    assertThat(started("book_hotel")).isFalse();
  }

  @Test
  void nothingIsCompensatedWhenEveryBookingSucceeds() throws Exception {
    JsonNode r = run(SAGA, input("flightFails", 0, "carFails", 0));

    assertThat(r.get("trip").get("book_car").asInt()).isEqualTo(1);
    assertThat(log()).containsExactly("book_hotel");
    assertThat(started("cancel_flight")).isFalse();
  }

  private List<String> log() throws Exception {
    List<String> out = new ArrayList<>();
    state().get("log").forEach(n -> out.add(n.asText()));
    return out;
  }
}
