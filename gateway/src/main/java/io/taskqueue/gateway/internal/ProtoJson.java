package io.taskqueue.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * JSON for the HTTP API, derived from the public proto messages so that both protocols use the same
 * names (COMPAT.md: "HTTP JSON field names are the proto field names in snake_case").
 *
 * <p>Why not protobuf's {@code JsonFormat}: it writes 64-bit integers as strings (the original API
 * and its clients use numbers for timestamps) and its parse errors do not name the field. Here,
 * output has every field of the message, in field-number order: scalars with their value (0 / ""
 * when unset, as the original), unset {@code optional} and message fields as {@code null}, 64-bit
 * integers as numbers. Input is strict about types and names the offending field (dotted for nested
 * ones: {@code retry_policy.jitter}); unknown fields and {@code null}s are ignored, as the original
 * did, and numbers written as strings are accepted as proto3 JSON allows.
 */
public final class ProtoJson {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ProtoJson() {}

  // ------------------------------------------------------------------------------ output

  public static ObjectNode toJson(MessageOrBuilder message) {
    ObjectNode json = NODES.objectNode();
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      String name = field.getName();
      if (field.isMapField()) {
        json.set(name, mapToJson(field, message.getField(field)));
      } else if (field.isRepeated()) {
        ArrayNode array = json.putArray(name);
        for (Object value : (List<?>) message.getField(field)) {
          array.add(valueToJson(field, value));
        }
      } else if (field.hasPresence() && !message.hasField(field)) {
        json.putNull(name);
      } else {
        json.set(name, valueToJson(field, message.getField(field)));
      }
    }
    return json;
  }

  private static ObjectNode mapToJson(FieldDescriptor field, Object entries) {
    FieldDescriptor keyField = field.getMessageType().findFieldByNumber(1);
    FieldDescriptor valueField = field.getMessageType().findFieldByNumber(2);
    ObjectNode json = NODES.objectNode();
    for (Object entry : (List<?>) entries) {
      Message pair = (Message) entry;
      json.set(
          String.valueOf(pair.getField(keyField)),
          valueToJson(valueField, pair.getField(valueField)));
    }
    return json;
  }

  private static JsonNode valueToJson(FieldDescriptor field, Object value) {
    return switch (field.getJavaType()) {
      case INT -> NODES.numberNode((Integer) value);
      case LONG -> NODES.numberNode((Long) value);
      case FLOAT -> finite(((Float) value).doubleValue());
      case DOUBLE -> finite((Double) value);
      case BOOLEAN -> NODES.booleanNode((Boolean) value);
      case STRING -> NODES.textNode((String) value);
      case BYTE_STRING ->
          NODES.textNode(Base64.getEncoder().encodeToString(((ByteString) value).toByteArray()));
      case ENUM -> NODES.textNode(((EnumValueDescriptor) value).getName());
      case MESSAGE -> toJson((Message) value);
    };
  }

  /** JSON has no NaN or infinity; a latency that does not exist yet is null. */
  private static JsonNode finite(double value) {
    return Double.isFinite(value) ? NODES.numberNode(value) : NODES.nullNode();
  }

  // ------------------------------------------------------------------------------ input

  /**
   * Sets the fields present in {@code json} on {@code builder}.
   *
   * @param path the field path of {@code json} itself, "" for the request body
   * @throws ApiException INVALID_ARGUMENT naming the offending field
   */
  public static void merge(JsonNode json, Message.Builder builder, String path) {
    if (!json.isObject()) {
      throw ApiException.invalid(
          path,
          "Expected "
              + (path.isEmpty() ? "the body" : path)
              + " to be a JSON object, but got "
              + describe(json));
    }
    Descriptor type = builder.getDescriptorForType();
    for (Map.Entry<String, JsonNode> property : json.properties()) {
      FieldDescriptor field = findField(type, property.getKey());
      JsonNode value = property.getValue();
      if (field == null || value.isNull()) {
        continue;
      }
      String fieldPath = path.isEmpty() ? field.getName() : path + "." + field.getName();
      if (field.isMapField()) {
        mergeMap(value, builder, field, fieldPath);
      } else if (field.isRepeated()) {
        if (!value.isArray()) {
          throw ApiException.invalid(
              fieldPath,
              "Expected " + fieldPath + " to be a JSON array, but got " + describe(value));
        }
        for (int i = 0; i < value.size(); i++) {
          builder.addRepeatedField(
              field, valueFromJson(value.get(i), builder, field, fieldPath + "[" + i + "]"));
        }
      } else {
        builder.setField(field, valueFromJson(value, builder, field, fieldPath));
      }
    }
  }

  private static FieldDescriptor findField(Descriptor type, String name) {
    FieldDescriptor field = type.findFieldByName(name);
    if (field != null) {
      return field;
    }
    for (FieldDescriptor candidate : type.getFields()) {
      if (candidate.getJsonName().equals(name)) {
        return candidate;
      }
    }
    return null;
  }

  private static void mergeMap(
      JsonNode value, Message.Builder builder, FieldDescriptor field, String fieldPath) {
    if (!value.isObject()) {
      throw ApiException.invalid(
          fieldPath, "Expected " + fieldPath + " to be a JSON object, but got " + describe(value));
    }
    Descriptor entryType = field.getMessageType();
    FieldDescriptor keyField = entryType.findFieldByNumber(1);
    FieldDescriptor valueField = entryType.findFieldByNumber(2);
    for (Map.Entry<String, JsonNode> entry : value.properties()) {
      String entryPath = fieldPath + "." + entry.getKey();
      Message.Builder pair = builder.newBuilderForField(field);
      pair.setField(keyField, scalar(NODES.textNode(entry.getKey()), keyField, entryPath));
      pair.setField(valueField, valueFromJson(entry.getValue(), pair, valueField, entryPath));
      builder.addRepeatedField(field, pair.build());
    }
  }

  private static Object valueFromJson(
      JsonNode value, Message.Builder parent, FieldDescriptor field, String fieldPath) {
    if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      Message.Builder nested = parent.newBuilderForField(field);
      merge(value, nested, fieldPath);
      return nested.build();
    }
    return scalar(value, field, fieldPath);
  }

  private static Object scalar(JsonNode value, FieldDescriptor field, String fieldPath) {
    Object result =
        switch (field.getJavaType()) {
          case INT -> integral(value, Integer.MIN_VALUE, Integer.MAX_VALUE, v -> (int) v);
          case LONG -> integral(value, Long.MIN_VALUE, Long.MAX_VALUE, v -> v);
          case FLOAT, DOUBLE -> decimal(value, field.getJavaType());
          case BOOLEAN -> value.isBoolean() ? value.booleanValue() : null;
          case STRING -> value.isTextual() ? value.textValue() : null;
          case ENUM ->
              value.isTextual() ? field.getEnumType().findValueByName(value.textValue()) : null;
          case BYTE_STRING, MESSAGE -> null;
        };
    if (result == null) {
      throw ApiException.invalid(
          fieldPath,
          "Expected " + fieldPath + " to be " + expected(field) + ", but got " + describe(value));
    }
    return result;
  }

  private static Object integral(
      JsonNode value, long min, long max, java.util.function.LongFunction<Object> box) {
    java.math.BigDecimal number = null;
    if (value.isNumber()) {
      number = value.decimalValue();
    } else if (value.isTextual()) {
      try {
        number = new java.math.BigDecimal(value.textValue().trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    if (number == null) {
      return null;
    }
    try {
      long exact = number.longValueExact();
      return exact < min || exact > max ? null : box.apply(exact);
    } catch (ArithmeticException e) {
      return null; // fraction or beyond 64 bits
    }
  }

  private static Object decimal(JsonNode value, FieldDescriptor.JavaType type) {
    double number;
    if (value.isNumber()) {
      number = value.doubleValue();
    } else if (value.isTextual()) {
      try {
        number = Double.parseDouble(value.textValue().trim());
      } catch (NumberFormatException e) {
        return null;
      }
    } else {
      return null;
    }
    if (!Double.isFinite(number)) {
      return null;
    }
    return type == FieldDescriptor.JavaType.FLOAT ? (Object) (float) number : (Object) number;
  }

  private static String expected(FieldDescriptor field) {
    return switch (field.getJavaType()) {
      case INT -> "a 32-bit integer";
      case LONG -> "a 64-bit integer";
      case FLOAT, DOUBLE -> "a number";
      case BOOLEAN -> "true or false";
      case STRING -> "a string";
      case ENUM -> "one of " + field.getEnumType().getValues();
      case BYTE_STRING, MESSAGE -> "a JSON object";
    };
  }

  private static String describe(JsonNode value) {
    String text = value.toString();
    return text.length() <= 64 ? text : text.substring(0, 61) + "...";
  }
}
