echo secret > outside.txt
