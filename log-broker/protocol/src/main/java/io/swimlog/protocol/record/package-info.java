/**
 * The record-batch format: the unit a producer builds, the broker validates and stamps, storage appends and
 * consumers read, without re-encoding anywhere on the way.
 *
 * <pre>
 * batch  = header(61 bytes, SBE RecordBatchHeader root block, little-endian) record{recordCount}
 *
 *   0  baseOffset           int64   stamped by the leader; not covered by the CRC
 *   8  batchLength          int32   bytes after this field (total size = 12 + batchLength)
 *  12  partitionLeaderEpoch int32   stamped by the leader; not covered by the CRC
 *  16  magic                int8    format version, {@link io.swimlog.protocol.record.RecordBatch#MAGIC}
 *  17  crc                  uint32  CRC-32C (Castagnoli) of bytes [21, end of batch)
 *  21  attributes           int16
 *  23  lastOffsetDelta      int32   recordCount - 1
 *  27  firstTimestamp       int64
 *  35  maxTimestamp         int64
 *  43  producerId           int64
 *  51  producerEpoch        int16
 *  53  baseSequence         int32
 *  57  recordCount          int32
 *
 * record = length:varint attributes:int8 timestampDelta:varlong offsetDelta:varint
 *          keyLength:varint key valueLength:varint value headerCount:varint header{headerCount}
 * header = keyLength:varint key valueLength:varint value
 * </pre>
 *
 * Varints are zig-zag encoded base-128 (as protobuf and Kafka): small records stay small, a 100-byte record
 * costs 7 bytes of framing. A length of -1 means null (key, value, header value); {@code length} counts the
 * bytes of the record after the length field itself. {@code offsetDelta} of record i is i.
 */
package io.swimlog.protocol.record;
