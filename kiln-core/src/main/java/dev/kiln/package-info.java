/**
 * The public API: {@link dev.kiln.Kiln} (one store) and {@link dev.kiln.WorkingContainer}, with
 * option and result records. Signatures use only JDK, this package's and {@code dev.kiln.oci}
 * types (checked by a test), so programs embedding kiln see nothing of its internals.
 */
package dev.kiln;
