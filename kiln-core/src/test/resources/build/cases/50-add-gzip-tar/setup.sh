mkdir -p tmp/t && echo f > tmp/t/f && ln -s f tmp/t/l
tar -C tmp/t -czf context/files.tar.gz .
rm -rf tmp
