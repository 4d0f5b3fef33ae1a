mkdir -p tmp/t/d && echo f > tmp/t/f && echo g > tmp/t/d/g && chmod 640 tmp/t/f
tar --numeric-owner --owner=42 --group=43 -C tmp/t -cf context/files.tar .
rm -rf tmp
