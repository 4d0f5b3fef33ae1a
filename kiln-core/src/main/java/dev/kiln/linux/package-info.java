/**
 * The few syscalls the JDK lacks (mount, umount2, mknod, chown/chmod/utimes without following
 * symlinks, extended attributes), through java.lang.foreign. Nothing else in kiln goes native.
 * Needs {@code --enable-native-access=ALL-UNNAMED} (the launcher and the test runner pass it).
 */
package dev.kiln.linux;
