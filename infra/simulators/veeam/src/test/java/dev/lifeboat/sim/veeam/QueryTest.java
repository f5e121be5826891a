package dev.lifeboat.sim.veeam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryTest {
    record Row(String name, String result, Instant end) {
    }

    final List<Row> rows = List.of(
        new Row("GOLD", "Success", Instant.parse("2019-06-29T10:00:00Z")),
        new Row("SILVER \"copy\"", "Failed", Instant.parse("2019-07-01T04:00:16Z")),
        new Row("BRONZE", "Failed", Instant.parse("2019-06-30T23:59:59Z")));

    List<String> names(String filter, String... more) {
        Map<String, String> params = new java.util.HashMap<>();
        params.put("filter", filter);
        for (int i = 0; i < more.length; i += 2) {
            params.put(more[i], more[i + 1]);
        }
        return Query.run(rows, r -> Map.of("name", r.name(), "result", r.result(), "endtime", r.end()), params)
            .items().stream().map(Row::name).toList();
    }

    @Test
    void andBindsTighterThanOrAndQuotesMayHoldOperators() {
        // The filter seen on the wire: result=="Failed";endtime>"2019-06-30" [C].
        assertEquals(List.of("SILVER \"copy\"", "BRONZE"), names("result==\"Failed\";endtime>\"2019-06-30\""));
        assertEquals(List.of("GOLD", "SILVER \"copy\""), names("name==gold,result==Failed;endtime>=\"2019-07-01 00:00:00\""));
        assertEquals(List.of("SILVER \"copy\""), names("Name==\"SILVER \"\"copy\"\"\""));
        assertEquals(List.of("GOLD"), names("result!=Failed"));
        assertEquals(List.of("BRONZE", "GOLD"), names("endtime<=2019-06-30T23:59:59Z", "sortasc", "Name"));
    }

    @Test
    void sortsAndPages() {
        assertEquals(List.of("SILVER \"copy\""), names(null, "sortdesc", "EndTime", "pagesize", "1"));
        assertEquals(List.of("BRONZE"), names(null, "sortdesc", "EndTime", "pagesize", "1", "page", "2"));
    }

    @Test
    void malformedFiltersAreBadRequests() {
        assertEquals(400, assertThrows(ApiError.class, () -> names("name=GOLD")).status);
        assertEquals(400, assertThrows(ApiError.class, () -> names("name==\"GOLD")).status);
        assertEquals(400, assertThrows(ApiError.class, () -> names("colour==red")).status);
        assertEquals(400, assertThrows(ApiError.class, () -> names("endtime>yesterday")).status);
        assertEquals(400, assertThrows(ApiError.class, () -> names(null, "sortasc", "colour")).status);
    }
}
