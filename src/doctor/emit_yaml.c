/* Quoting shared by the YAML emitters: a JSON string is a valid YAML double-quoted scalar, so
 * paths with ':' '#' or spaces never change the document's structure. */
#include "doctor/doctor.h"

void doctor_yaml_quote(FILE *out, const char *s)
{
        fputc('"', out);
        for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
                if (*c == '"' || *c == '\\')
                        fprintf(out, "\\%c", *c);
                else if (*c < 0x20)
                        fprintf(out, "\\u%04x", *c);
                else
                        fputc(*c, out);
        }
        fputc('"', out);
}
