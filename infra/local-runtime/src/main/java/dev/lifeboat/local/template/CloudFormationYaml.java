package dev.lifeboat.local.template;

import java.io.Reader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads CloudFormation YAML into plain {@code Map}/{@code List}/{@code String} trees, with every short-form
 * intrinsic ({@code !Ref X}, {@code !GetAtt A.B}, ...) turned into its JSON long form ({@code {"Ref":"X"}},
 * {@code {"Fn::GetAtt":["A","B"]}}), so that code downstream sees one shape only.
 */
final class CloudFormationYaml {

    /** Short tags whose long form is {@code Fn::<Name>} with the node's value unchanged. */
    private static final List<String> FN_TAGS = List.of(
            "Sub", "Join", "If", "Equals", "Not", "And", "Or", "Select", "Split", "FindInMap",
            "ImportValue", "Base64", "GetAZs", "Cidr", "Transform", "Length", "ToJsonString");

    private CloudFormationYaml() {
    }

    static Object load(Reader reader) {
        LoaderOptions options = new LoaderOptions();
        // CloudFormation rejects duplicate keys; a silent "last one wins" would hide template bugs.
        options.setAllowDuplicateKeys(false);
        options.setCodePointLimit(16 * 1024 * 1024);
        Yaml yaml = new Yaml(new Constructor(options), new Representer(new DumperOptions()),
                new DumperOptions(), options, new StringsOnlyResolver());
        return yaml.load(reader);
    }

    /**
     * YAML 1.1 would turn {@code Version: 2012-10-17} into a Date and {@code yes} into a boolean. CloudFormation
     * reads scalars as text, so every plain scalar stays a String except an explicit null.
     */
    private static final class StringsOnlyResolver extends Resolver {
        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.NULL, NULL, "~nN\0");
            addImplicitResolver(Tag.NULL, EMPTY, null);
        }
    }

    private static final class Constructor extends SafeConstructor {
        Constructor(LoaderOptions options) {
            super(options);
            yamlConstructors.put(new Tag("!Ref"), new Intrinsic("Ref"));
            yamlConstructors.put(new Tag("!Condition"), new Intrinsic("Condition"));
            yamlConstructors.put(new Tag("!GetAtt"), new GetAtt());
            for (String name : FN_TAGS) {
                yamlConstructors.put(new Tag("!" + name), new Intrinsic("Fn::" + name));
            }
        }

        Object value(Node node) {
            if (node instanceof ScalarNode scalar) {
                return constructScalar(scalar);
            }
            if (node instanceof SequenceNode sequence) {
                return constructSequence(sequence);
            }
            return constructMapping((MappingNode) node);
        }

        private final class Intrinsic extends AbstractConstruct {
            private final String key;

            Intrinsic(String key) {
                this.key = key;
            }

            @Override
            public Object construct(Node node) {
                Map<String, Object> longForm = new LinkedHashMap<>();
                longForm.put(key, value(node));
                return longForm;
            }
        }

        private final class GetAtt extends AbstractConstruct {
            @Override
            public Object construct(Node node) {
                Object value = value(node);
                if (value instanceof String text) {
                    // Split at the first dot only: "Stack.Outputs.Name" is resource "Stack", attribute "Outputs.Name".
                    int dot = text.indexOf('.');
                    value = dot < 0 ? List.of(text) : List.of(text.substring(0, dot), text.substring(dot + 1));
                }
                Map<String, Object> longForm = new LinkedHashMap<>();
                longForm.put("Fn::GetAtt", value);
                return longForm;
            }
        }
    }
}
