n=$(printf 'n%.0s' $(seq 1 150))
mkdir -p "context/$n/$n"
echo long > "context/$n/$n/$n"
