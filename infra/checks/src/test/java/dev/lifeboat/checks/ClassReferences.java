package dev.lifeboat.checks;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The classes a class file names in its constant pool ({@code CONSTANT_Class} entries, array types reduced to their
 * element class): what the JVM may load when the class is verified or its code runs. Format: JVM Specification
 * (Java SE 17) section 4.4, the constant pool; tags 5 and 6 (long, double) take two slots.
 */
final class ClassReferences {
    private ClassReferences() {}

    static Set<String> of(InputStream classFile) throws IOException {
        DataInputStream in = new DataInputStream(classFile);
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort(); // minor version
        in.readUnsignedShort(); // major version
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        List<Integer> classNames = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classNames.add(in.readUnsignedShort());
                case 8, 16, 19, 20 -> in.readUnsignedShort(); // String, MethodType, Module, Package
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt(); // Integer, Float, refs, NameAndType, Dynamic, InvokeDynamic
                case 5, 6 -> {
                    in.readLong();
                    i++;
                }
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                default -> throw new IOException("constant pool tag " + tag);
            }
        }
        Set<String> names = new TreeSet<>();
        for (int index : classNames) {
            String name = utf8[index];
            if (name.startsWith("[")) {
                name = name.replaceFirst("^\\[+", "");
                if (!name.startsWith("L")) {
                    continue; // an array of a primitive type
                }
                name = name.substring(1, name.length() - 1);
            }
            names.add(name);
        }
        return names;
    }
}
