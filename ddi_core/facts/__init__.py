"""Facts about drugs and diseases and where each comes from: approved and labelled indications
(DrugCentral, PharmacotherapyDB), literature associations (CTD), curated non-indications,
approval status, and the names people use for drugs and diseases."""
