package dev.lifeboat.local.template;

import java.util.List;
import java.util.Map;

/**
 * An {@code AWS::Serverless::Function} with {@code Globals.Function} merged in.
 *
 * @param handler     {@code class::method} as written in {@code Handler}
 * @param codeUri     {@code CodeUri} when it is text, else {@code null}
 * @param environment {@code Environment.Variables}; values are raw template values (text or intrinsic maps), see
 *                    {@link Intrinsics#resolve}
 * @param memorySize  MB, Lambda's default 128 when absent or not a literal number
 * @param timeout     seconds, Lambda's default 3 when absent or not a literal number
 * @param properties  all the function's merged properties
 */
public record FunctionDef(String logicalId, String handler, String codeUri, String runtime,
        Map<String, Object> environment, int memorySize, int timeout, List<HttpApiEvent> httpApiEvents,
        Map<String, Object> properties) {

    /** The class part of {@link #handler}, before {@code ::}. */
    public String handlerClass() {
        int separator = handler.indexOf("::");
        return separator < 0 ? handler : handler.substring(0, separator);
    }

    /** The method part of {@link #handler}, {@code handleRequest} when the handler names none. */
    public String handlerMethod() {
        int separator = handler.indexOf("::");
        return separator < 0 ? "handleRequest" : handler.substring(separator + 2);
    }
}
