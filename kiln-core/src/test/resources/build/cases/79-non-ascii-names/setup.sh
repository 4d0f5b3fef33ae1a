echo a > "context/äöü.txt"
echo b > "context/日本語.txt"
echo c > "context/with space.txt"
