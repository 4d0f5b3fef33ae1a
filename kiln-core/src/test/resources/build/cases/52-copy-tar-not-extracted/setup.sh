mkdir -p tmp/t && echo f > tmp/t/f
tar -C tmp/t -cf context/files.tar .
rm -rf tmp
