echo t > context/target
ln -s target context/rel-link
ln -s /etc/passwd context/abs-link
ln -s missing context/dangling
