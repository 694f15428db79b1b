package dev.mergenet.transfer.data;

import dev.mergenet.core.errors.MergeNetException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** IDX files (the MNIST format), gzipped or not: unsigned-byte tensors with big-endian dimension sizes. */
public final class IdxFile {
    private final int[] dims;
    private final byte[] data;

    private IdxFile(int[] dims, byte[] data) {
        this.dims = dims;
        this.data = data;
    }

    public static IdxFile read(Path file) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
            DataInputStream d = new DataInputStream(new BufferedInputStream(in, 1 << 16));
            int magic = d.readInt();
            if ((magic >>> 16) != 0 || ((magic >> 8) & 0xff) != 0x08) {
                throw new MergeNetException(
                        file + ": not an unsigned-byte IDX file (magic 0x" + Integer.toHexString(magic) + ")");
            }
            int rank = magic & 0xff;
            if (rank < 1 || rank > 4) {
                throw new MergeNetException(file + ": IDX rank " + rank + " is not supported");
            }
            int[] dims = new int[rank];
            long total = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = d.readInt();
                if (dims[i] < 0) {
                    throw new MergeNetException(file + ": negative IDX dimension " + dims[i]);
                }
                total *= dims[i];
            }
            if (total > Integer.MAX_VALUE - 8) {
                throw new MergeNetException(file + ": IDX tensor too large (" + total + " bytes)");
            }
            byte[] data = new byte[(int) total];
            try {
                d.readFully(data);
            } catch (EOFException e) {
                throw new MergeNetException(file + ": truncated IDX file (expected " + total + " data bytes)", e);
            }
            return new IdxFile(dims, data);
        } catch (ZipException e) {
            throw new MergeNetException(file + ": corrupt gzip data: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new MergeNetException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    public int[] dims() {
        return dims.clone();
    }

    public int unsigned(int i) {
        return data[i] & 0xff;
    }

    public int length() {
        return data.length;
    }
}
