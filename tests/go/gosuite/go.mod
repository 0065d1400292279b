module gosuite

go 1.19
