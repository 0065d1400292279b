module cwdprog

go 1.19
