echo x > context/ro && chmod 444 context/ro
echo x > context/owned && chown 1234:5678 context/owned
mkdir context/d && chmod 710 context/d
