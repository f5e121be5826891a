package dev.lifeboat.sim.veeam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Reads request bodies (the {@code *Spec} documents) in XML or JSON and checks them the way Veeam does: the XML root
 * and every element in the Veeam namespace, elements in schema order [V, VD {@code post_jobs_id_includes}: "the order
 * of parameters in the request body is correct"], required elements present. The result is a flat map of leaf values
 * keyed by path ({@code VmRestoreSpec/QuickRollback}).
 */
final class Bodies {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Bodies() {
    }

    /** One element of a spec's XSD sequence. */
    record Slot(String name, boolean required, Slot... nested) {
        static Slot req(String name, Slot... nested) {
            return new Slot(name, true, nested);
        }

        static Slot opt(String name, Slot... nested) {
            return new Slot(name, false, nested);
        }
    }

    /** HierarchyObjRef 1/1, HierarchyObjName 1/1, GuestProcessingOptions 0/1 [V, VD {@code post_jobs_id_includes}]. */
    static final Slot[] CREATE_OBJECT_IN_JOB = {Slot.req("HierarchyObjRef"), Slot.req("HierarchyObjName"),
        Slot.opt("GuestProcessingOptions")};

    static final Slot[] QUICK_BACKUP = {Slot.req("VmRef")};

    /**
     * {@code RestoreSpec/VmRestoreSpec}: the sequence of the VD example (HierarchyRootUid sits between
     * PowerOnAfterRestore and QuickRollback) [V, VD {@code post_vmrestorepoints_id_actionrestore}].
     */
    static final Slot[] RESTORE = {Slot.req("VmRestoreSpec", Slot.req("PowerOnAfterRestore"), Slot.opt("HierarchyRootUid"),
        Slot.req("QuickRollback"), Slot.opt("KeepOriginalVM"), Slot.opt("VmRestoreParameters",
            Slot.req("VmRestorePointUid"), Slot.opt("VmNewName"), Slot.opt("DatastoreRef"), Slot.opt("OrgVdcStorageProfileRef"),
            Slot.opt("LinkedCloneVmTemplateRef")))};

    /** Parses {@code body} as {@code contentType} and checks it against {@code root} / {@code slots}. */
    static Map<String, String> read(String body, String contentType, String root, Slot[] slots) {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (type.contains("json")) {
            return readJson(body, slots);
        }
        if (type.contains("xml")) {
            return readXml(body, root, slots);
        }
        // The Content-Type header is required with a body [V, VD em_web_api_specifications]; the status for a missing
        // one is unknown [U], 400 like any unreadable body.
        throw new ApiError(400, "The request has no supported Content-Type (application/xml or application/json).");
    }

    // ---- XML ----

    private static Map<String, String> readXml(String body, String root, Slot[] slots) {
        Element element;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            element = b.parse(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
        } catch (Exception e) {
            // Message wording [U]: Veeam reports deserialisation failures as 400 with an Error body.
            throw new ApiError(400, "The request body is not well-formed XML: " + e.getMessage());
        }
        if (!root.equals(element.getLocalName()) || !Doc.NS.equals(element.getNamespaceURI())) {
            throw new ApiError(400, "Expected element <" + root + " xmlns=\"" + Doc.NS + "\">, found <" + element.getLocalName()
                + (element.getNamespaceURI() == null ? "" : " xmlns=\"" + element.getNamespaceURI() + "\"") + ">.");
        }
        Map<String, String> out = new LinkedHashMap<>();
        readSequence(element, slots, "", out);
        return out;
    }

    private static void readSequence(Element parent, Slot[] slots, String prefix, Map<String, String> out) {
        int next = 0;
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeType() != Node.ELEMENT_NODE) {
                continue;
            }
            Element child = (Element) n;
            if (!Doc.NS.equals(child.getNamespaceURI())) {
                throw new ApiError(400, "Element <" + child.getLocalName() + "> is not in the namespace " + Doc.NS + ".");
            }
            int at = -1;
            for (int i = next; i < slots.length; i++) {
                if (slots[i].name().equals(child.getLocalName())) {
                    at = i;
                    break;
                }
                if (slots[i].required()) {
                    break;
                }
            }
            if (at < 0) {
                throw new ApiError(400, orderMessage(child.getLocalName(), slots, next, prefix));
            }
            Slot slot = slots[at];
            String path = prefix + slot.name();
            if (slot.nested().length > 0) {
                out.put(path, "");
                readSequence(child, slot.nested(), path + "/", out);
            } else {
                out.put(path, child.getTextContent().trim());
            }
            next = at + 1;
        }
        for (int i = next; i < slots.length; i++) {
            if (slots[i].required()) {
                throw new ApiError(400, "Element <" + slots[i].name() + "> is required in <" + parent.getLocalName() + ">.");
            }
        }
    }

    private static String orderMessage(String found, Slot[] slots, int next, String prefix) {
        for (Slot s : slots) {
            if (s.name().equals(found)) {
                return "Element <" + found + "> is out of order" + (next < slots.length ? "; expected <" + slots[next].name() + ">" : "")
                    + " [" + (prefix.isEmpty() ? "root" : prefix) + "].";
            }
        }
        return "Unexpected element <" + found + ">" + (next < slots.length ? "; expected <" + slots[next].name() + ">" : "") + ".";
    }

    // ---- JSON ----

    private static Map<String, String> readJson(String body, Slot[] slots) {
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ApiError(400, "The request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new ApiError(400, "The request body must be a JSON object.");
        }
        Map<String, String> out = new LinkedHashMap<>();
        readObject(node, slots, "", out);
        return out;
    }

    private static void readObject(JsonNode obj, Slot[] slots, String prefix, Map<String, String> out) {
        // JSON has no order; unknown properties are ignored, as by the .NET serializer behind EM [U].
        for (Slot slot : slots) {
            JsonNode v = obj.get(slot.name());
            String path = prefix + slot.name();
            if (v == null || v.isNull()) {
                if (slot.required()) {
                    throw new ApiError(400, "Property \"" + slot.name() + "\" is required.");
                }
                continue;
            }
            if (slot.nested().length > 0) {
                if (!v.isObject()) {
                    throw new ApiError(400, "Property \"" + slot.name() + "\" must be an object.");
                }
                out.put(path, "");
                readObject(v, slot.nested(), path + "/", out);
            } else {
                out.put(path, v.isValueNode() ? v.asText() : v.toString());
            }
        }
    }

    /** A boolean element: {@code true}/{@code false} in any case; anything else is a bad request. */
    static boolean bool(Map<String, String> spec, String path, boolean absent) {
        String v = spec.get(path);
        if (v == null) {
            return absent;
        }
        if (v.equalsIgnoreCase("true") || v.equals("1")) {
            return true;
        }
        if (v.equalsIgnoreCase("false") || v.equals("0")) {
            return false;
        }
        throw new ApiError(400, "Element " + path + " must be a boolean, got \"" + v + "\".");
    }
}
