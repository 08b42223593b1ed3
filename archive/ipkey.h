/*
 * ipkey: the search keys of an indicator value (archive.c stores them,
 * search.c computes the same for a query, so both sides agree).
 *
 *   ipkey_of()          an IPv4/IPv6 address or CIDR -- also the host of
 *                       a URL written with an IP -- as 16 octets (IPv4
 *                       mapped into ::ffff:0:0/96, so one ordering
 *                       covers both families) and a prefix length
 *                       (128 for an address; a v4 /24 is 120).  The
 *                       octets are the network's first address.
 *   ipkey_rdomain_of()  a domain, a URL's host or an e-mail address's
 *                       domain reversed by labels, lower case, with a
 *                       trailing dot: "a.b.Example.org" ->
 *                       "org.example.b.a.".  A domain's subdomains are
 *                       then exactly the keys that start with its key.
 *
 * Pure functions.
 */
#ifndef ARCHIVE_IPKEY_H
#define ARCHIVE_IPKEY_H

#include "archive/extract.h"

/* 0 and ip/plen set, or -1 when the value has no IP key. */
int ipkey_of(enum ind_type t, const char *value, unsigned char ip[16],
    int *plen);
/* Allocated, or NULL when the value has no domain key. */
char *ipkey_rdomain_of(enum ind_type t, const char *value);
/* The key of a domain name itself (as above); NULL if it is empty. */
char *ipkey_rdomain(const char *domain, size_t len);
/* ip masked to its first plen bits (in place). */
void ipkey_mask(unsigned char ip[16], int plen);
/* The last address of the network ip/plen (ip already masked). */
void ipkey_last(const unsigned char ip[16], int plen, unsigned char out[16]);

#endif
