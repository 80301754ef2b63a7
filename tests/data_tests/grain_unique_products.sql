-- rows whose grain key (product_id) is not unique in products
select product_id, count(*) as count_rows
from products
group by product_id
having count(*) > 1
