package dev.lifeboat.local.template;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves the intrinsics that configuration values use in practice ({@code Ref}, {@code Fn::Sub},
 * {@code Fn::GetAtt}, {@code Fn::Join}) against a map of known names. Anything else fails loudly: a local run that
 * quietly got an empty table name would fail much later and far from the cause.
 */
public final class Intrinsics {

    /** Pseudo parameters as the local runtime answers them. */
    public static final Map<String, String> PSEUDO_PARAMETERS = Map.of(
            "AWS::Region", "us-east-1",
            "AWS::AccountId", "000000000000",
            "AWS::StackName", "lifeboat-local",
            "AWS::StackId", "arn:aws:cloudformation:us-east-1:000000000000:stack/lifeboat-local/local",
            "AWS::Partition", "aws",
            "AWS::URLSuffix", "amazonaws.com");

    private Intrinsics() {
    }

    /**
     * @param value a template value: a String, or a one-key map in long form ({@code {"Ref":"X"}}, ...)
     * @param refs  known names: a logical id or parameter name → its local value, and {@code Logical.Attribute} →
     *              the value of {@code Fn::GetAtt}; pseudo parameters fall back to {@link #PSEUDO_PARAMETERS}
     * @throws UnresolvableReferenceException naming the first reference that is not known or not supported
     */
    public static String resolve(Object value, Map<String, String> refs) {
        if (value == null) {
            throw new UnresolvableReferenceException("null", "Cannot resolve an empty value");
        }
        if (value instanceof String text) {
            return text;
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        if (value instanceof Map<?, ?> map && map.size() == 1) {
            Map.Entry<?, ?> entry = map.entrySet().iterator().next();
            String function = String.valueOf(entry.getKey());
            Object argument = entry.getValue();
            switch (function) {
                case "Ref":
                    return lookup(String.valueOf(argument), refs, "!Ref " + argument);
                case "Fn::GetAtt":
                    return getAtt(argument, refs);
                case "Fn::Sub":
                    return sub(argument, refs);
                case "Fn::Join":
                    return join(argument, refs);
                default:
                    throw new UnresolvableReferenceException(function,
                            function + " is not supported by the local resolver (only Ref, Fn::Sub, Fn::GetAtt and "
                                    + "Fn::Join are): " + value);
            }
        }
        throw new UnresolvableReferenceException(String.valueOf(value),
                "Cannot resolve " + value + " to a string: expected text or one intrinsic function");
    }

    private static String lookup(String name, Map<String, String> refs, String asWritten) {
        String found = refs.get(name);
        if (found == null) {
            found = PSEUDO_PARAMETERS.get(name);
        }
        if (found == null) {
            throw new UnresolvableReferenceException(name,
                    "Cannot resolve " + asWritten + ": '" + name + "' is not a parameter with a value or a resource "
                            + "known to the local runtime");
        }
        return found;
    }

    private static String getAtt(Object argument, Map<String, String> refs) {
        if (!(argument instanceof List<?> parts) || parts.size() != 2) {
            throw new UnresolvableReferenceException("Fn::GetAtt " + argument,
                    "Fn::GetAtt needs [LogicalId, Attribute], got " + argument);
        }
        String name = parts.get(0) + "." + resolve(parts.get(1), refs);
        return lookup(name, refs, "!GetAtt " + name);
    }

    private static String sub(Object argument, Map<String, String> refs) {
        String template;
        Map<String, String> scope = refs;
        if (argument instanceof String text) {
            template = text;
        } else if (argument instanceof List<?> parts && parts.size() == 2 && parts.get(0) instanceof String text
                && parts.get(1) instanceof Map<?, ?> variables) {
            template = text;
            scope = new HashMap<>(refs);
            for (Map.Entry<?, ?> variable : variables.entrySet()) {
                scope.put(String.valueOf(variable.getKey()), resolve(variable.getValue(), refs));
            }
        } else {
            throw new UnresolvableReferenceException("Fn::Sub " + argument,
                    "Fn::Sub needs a string or [string, {variables}], got " + argument);
        }
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (true) {
            int open = template.indexOf("${", at);
            if (open < 0) {
                out.append(template, at, template.length());
                return out.toString();
            }
            int close = template.indexOf('}', open);
            if (close < 0) {
                throw new UnresolvableReferenceException(template, "Fn::Sub has an unclosed ${ in: " + template);
            }
            out.append(template, at, open);
            String name = template.substring(open + 2, close).trim();
            if (name.startsWith("!")) {
                // "${!Literal}" is CloudFormation's escape for a literal "${Literal}".
                out.append("${").append(name, 1, name.length()).append('}');
            } else {
                out.append(lookup(name, scope, "${" + name + "} in Fn::Sub '" + template + "'"));
            }
            at = close + 1;
        }
    }

    private static String join(Object argument, Map<String, String> refs) {
        if (!(argument instanceof List<?> parts) || parts.size() != 2 || !(parts.get(1) instanceof List<?> items)) {
            throw new UnresolvableReferenceException("Fn::Join " + argument,
                    "Fn::Join needs [delimiter, [values]], got " + argument);
        }
        String delimiter = resolve(parts.get(0), refs);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                out.append(delimiter);
            }
            out.append(resolve(items.get(i), refs));
        }
        return out.toString();
    }
}
