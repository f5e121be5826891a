package dev.lifeboat.sim.veeam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * One Veeam document, written once and rendered in either of the API's two formats.
 *
 * <p>Veeam EM serialises the same data contract both ways [V, VD {@code resource_representation_for_ke}]: in XML an
 * entity has attributes ({@code Type}, {@code Href}, {@code Name}, {@code UID}) and child elements, all in the namespace
 * {@code http://www.veeam.com/ent/v1.0}; in JSON the root element's name disappears, attributes and child elements both
 * become properties, booleans and numbers keep their type, and a repeated element becomes an array named by the
 * plural of the item ({@code "Links":[...]}, {@code "Refs":[...]}, {@code "Includes":{"ObjectInJobs":[...]}}).
 */
final class Doc {
    static final String NS = "http://www.veeam.com/ent/v1.0";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final XMLOutputFactory XML = XMLOutputFactory.newInstance();

    private Doc() {
    }

    static El el(String name) {
        return new El(name);
    }

    /** An element: attributes first, then children in document order (XML element order matters to Veeam). */
    static final class El {
        final String name;
        final List<Object[]> attrs = new ArrayList<>();
        final List<Object> children = new ArrayList<>();

        El(String name) {
            this.name = name;
        }

        El attr(String key, Object value) {
            if (value != null) {
                attrs.add(new Object[] {key, value});
            }
            return this;
        }

        /** A leaf element {@code <name>value</name>}; {@code null} renders {@code <name />} and JSON {@code null}. */
        El field(String key, Object value) {
            children.add(new Field(key, value));
            return this;
        }

        El child(El nested) {
            children.add(nested);
            return this;
        }

        /** The {@code <Links>} list: XML {@code <Links><Link .../></Links>}, JSON {@code "Links":[{...}]}. Empty: left out. */
        El links(List<El> links) {
            if (!links.isEmpty()) {
                children.add(new Items("Links", "Links", false, links));
            }
            return this;
        }

        /**
         * Items directly under this element (XML) and a JSON array named {@code jsonName}: the shape of a top-level
         * collection such as {@code <EntityReferences><Ref/>...} / {@code {"Refs":[...]}}.
         */
        El items(String jsonName, List<El> items) {
            children.add(new Items(null, jsonName, false, items));
            return this;
        }

        /**
         * Items in a wrapper element: XML {@code <wrapper><Item/>...</wrapper>}, JSON {@code "wrapper":{"jsonName":[...]}}
         * (the shape of {@code Includes} in a job and of {@code Entities/Jobs} in a query result).
         */
        El wrapped(String wrapper, String jsonName, List<El> items) {
            children.add(new Items(wrapper, jsonName, true, items));
            return this;
        }
    }

    static El link(String rel, String type, String href, String name) {
        return el("Link").attr("Rel", rel).attr("Type", type).attr("Href", href).attr("Name", name);
    }

    private record Field(String name, Object value) {
    }

    private record Items(String wrapper, String jsonName, boolean jsonWrapped, List<El> items) {
    }

    // ---- JSON ----

    static String json(El root) {
        try {
            return JSON.writeValueAsString(toJson(root));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode toJson(El el) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        for (Object child : el.children) {
            if (child instanceof Field f) {
                node.set(f.name(), value(f.value()));
            } else if (child instanceof El nested) {
                node.set(nested.name, toJson(nested));
            } else if (child instanceof Items items) {
                ArrayNode array = node.arrayNode();
                items.items().forEach(i -> array.add(toJson(i)));
                if (items.jsonWrapped()) {
                    node.putObject(items.wrapper()).set(items.jsonName(), array);
                } else {
                    node.set(items.jsonName(), array);
                }
            }
        }
        // Attributes come last, as in the JSON Veeam writes (derived members first, then Name/UID/Links/Href/Type).
        for (Object[] a : el.attrs) {
            node.set((String) a[0], value(a[1]));
        }
        return node;
    }

    private static JsonNode value(Object v) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (v == null) {
            return f.nullNode();
        }
        if (v instanceof Boolean b) {
            return f.booleanNode(b);
        }
        if (v instanceof Integer i) {
            return f.numberNode(i);
        }
        if (v instanceof Long l) {
            return f.numberNode(l);
        }
        return f.textNode(v.toString());
    }

    // ---- XML ----

    static String xml(El root) {
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter w = XML.createXMLStreamWriter(out);
            w.writeStartDocument("utf-8", "1.0");
            w.setDefaultNamespace(NS);
            w.writeStartElement(NS, root.name);
            // Veeam's serializer declares xsd/xsi on the root too [V, VD post_sessionmngr example].
            w.writeNamespace("xsd", "http://www.w3.org/2001/XMLSchema");
            w.writeNamespace("xsi", "http://www.w3.org/2001/XMLSchema-instance");
            w.writeDefaultNamespace(NS);
            writeBody(w, root);
            w.writeEndElement();
            w.writeEndDocument();
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    private static void writeElement(XMLStreamWriter w, El el) throws XMLStreamException {
        if (el.children.isEmpty()) {
            w.writeEmptyElement(NS, el.name);
            writeAttrs(w, el);
            return;
        }
        w.writeStartElement(NS, el.name);
        writeBody(w, el);
        w.writeEndElement();
    }

    private static void writeBody(XMLStreamWriter w, El el) throws XMLStreamException {
        writeAttrs(w, el);
        for (Object child : el.children) {
            if (child instanceof Field f) {
                if (f.value() == null) {
                    w.writeEmptyElement(NS, f.name());
                } else {
                    w.writeStartElement(NS, f.name());
                    w.writeCharacters(f.value().toString());
                    w.writeEndElement();
                }
            } else if (child instanceof El nested) {
                writeElement(w, nested);
            } else if (child instanceof Items items) {
                if (items.wrapper() != null) {
                    w.writeStartElement(NS, items.wrapper());
                }
                for (El item : items.items()) {
                    writeElement(w, item);
                }
                if (items.wrapper() != null) {
                    w.writeEndElement();
                }
            }
        }
    }

    private static void writeAttrs(XMLStreamWriter w, El el) throws XMLStreamException {
        for (Object[] a : el.attrs) {
            w.writeAttribute((String) a[0], a[1].toString());
        }
    }
}
